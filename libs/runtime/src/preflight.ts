import net from 'node:net';

/** A connection failure turned into a message that says which dependency, where, and how to get one. */
export function describeConnectError(what: 'NATS' | 'Postgres', url: string, err: unknown): Error {
  const safeUrl = url.replace(/\/\/([^@/]*)@/, '//***@');
  const hint =
    what === 'NATS'
      ? "start one with `docker compose up -d nats`, or install Debian's nats-server and run `nats-server -js -a 127.0.0.1 -p 4222`"
      : "start one with `docker compose up -d postgres`, or install Debian's postgresql and run `pg_ctlcluster 15 main start`";
  const reason = err instanceof Error ? err.message : String(err);
  // a server that answers but refuses the login needs other credentials, not another server
  const refusedLogin =
    what === 'NATS' &&
    err instanceof Error &&
    (err.name === 'AuthorizationError' || /authorization violation/i.test(err.message));
  const e = refusedLogin
    ? new Error(
        `NATS at ${safeUrl} refused the login (${reason}); check NATS_USER and NATS_PASSWORD (the server's users file must list this user)`,
      )
    : new Error(
        `cannot reach ${what} at ${safeUrl} (${reason}); ${hint}, or set ${what === 'NATS' ? 'NATS_URL' : 'DATABASE_URL'}`,
      );
  e.name = 'DependencyUnavailable';
  return e;
}

/** TCP reachability with a deadline: the quick check `npm start` runs before building anything. */
export function probeTcp(url: string, defaultPort: number, timeoutMs: number): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || defaultPort);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: u.hostname, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
