export * from './errors';
export * from './key-ring';
export * from './envelope';
export * from './hmac';
