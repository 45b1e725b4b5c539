// An affiliate endpoint for the affiliates bench: answers 200 at once, counts POSTs and leads, and
// remembers the first and last arrival so rates exclude set-up time. GET /stats reads, POST /reset clears.
import { createServer } from 'node:http';

let posts = 0;
let leads = 0;
let first = 0;
let last = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ posts, leads, first, last }));
      return;
    }
    if (req.url === '/reset') {
      posts = leads = first = last = 0;
      res.writeHead(204).end();
      return;
    }
    const now = performance.timeOrigin + performance.now();
    if (!first) first = now;
    last = now;
    posts++;
    const body = Buffer.concat(chunks).toString('utf8');
    // counting `affiliate_lead_id` keys is enough here and cheaper than parsing 100-lead bodies
    leads += body.split('"affiliate_lead_id"').length - 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`READY http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`);
});
// SIGTERM (stopAll) ends it through exit, so a profiled run (`npm run bench -- --profile`) writes its profile
process.once('SIGTERM', () => process.exit(0));
