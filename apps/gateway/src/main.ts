import './tracing';

import { installShutdown } from '@app/runtime';

import { startGateway } from './gateway';

startGateway().then(
  (gw) => {
    process.stdout.write(`gateway listening on ${gw.url} (API docs: ${gw.url}/docs)\n`);
    installShutdown(() => gw.stop(), gw.config.SHUTDOWN_TIMEOUT_MS, gw.logger);
  },
  (err: Error) => {
    process.stderr.write(`gateway: ${err.message}\n`);
    process.exit(err.name === 'ConfigError' ? 2 : 1);
  },
);
