export * from './infra';
export * from './log-capture';
export * from './fake-server';
export * from './connector-failure';
export * from './eventually';
export * from './ports';
export * from './otlp-receiver';
