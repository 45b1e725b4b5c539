export * from './config';
export * from './validation';
export * from './tokens';
export * from './health';
export * from './preflight';
export * from './service';
export * from './system.controller';
export * from './dead-letters.controller';
