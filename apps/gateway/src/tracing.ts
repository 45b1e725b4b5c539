// The first import of main.ts: the OpenTelemetry SDK (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must hook
// http, pg and undici before anything requires them.
import { startTracingOrExit } from '@app/observability';

startTracingOrExit('gateway');
