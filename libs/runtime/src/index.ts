// What any process needs, the gateway included; startService (NestJS, Postgres, migrations) is `@app/runtime/service`.
export * from './config';
export * from './validation';
export * from './tokens';
export * from './health';
export * from './preflight';
export * from './shutdown';
export * from './metrics-listener';
export * from './metrics.controller';
