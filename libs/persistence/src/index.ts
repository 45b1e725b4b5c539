export * from './data-source';
export * from './idempotency/canonical';
export * from './idempotency/idempotency';
export * from './idempotency/idempotency.store';
