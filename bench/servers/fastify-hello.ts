// Baseline server: bare Fastify hello-world, the ceiling any HTTP route on this machine can reach.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', () => Promise.resolve({ hello: 'world' }));
void app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).then((address) => {
  process.stdout.write(`READY ${address}\n`);
});
// SIGTERM (stopAll) ends it through exit, so a profiled run (`npm run bench -- --profile`) writes its profile
process.once('SIGTERM', () => process.exit(0));
