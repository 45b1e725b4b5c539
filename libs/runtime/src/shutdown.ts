import type { Logger } from 'pino';

import { shutdownTracing } from '@app/observability';

/** On SIGTERM or SIGINT: `stop`, flush the traces, exit; exit 1 if that takes longer than `timeoutMs`. */
export function installShutdown(stop: () => Promise<void>, timeoutMs: number, logger: Logger): void {
  const onSignal = (signal: string) => {
    const timer = setTimeout(() => {
      logger.warn({ signal }, 'graceful shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    // the spans of the last requests are exported before the process ends
    stop()
      .then(shutdownTracing)
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
