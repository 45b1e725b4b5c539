export * from './types';
export * from './connector-error';
export * from './connector';
export * from './http';
export * from './registry';
export * from './config-cache';
