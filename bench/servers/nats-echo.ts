// Baseline responder: raw nats.js request-reply, the ceiling of one NATS hop on this machine.
import { connect } from '@nats-io/transport-node';

async function main() {
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', noAsyncTraces: true });
  nc.subscribe(process.env.SUBJECT ?? 'bench.echo', {
    queue: 'bench',
    callback: (_err, msg) => {
      msg.respond(msg.data);
    },
  });
  await nc.flush();
  process.stdout.write('READY\n');
}
void main();
// SIGTERM (stopAll) ends it through exit, so a profiled run (`npm run bench -- --profile`) writes its profile
process.once('SIGTERM', () => process.exit(0));
