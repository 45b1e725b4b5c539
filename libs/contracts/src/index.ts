export * from './common/errors';
export * from './common/envelope';
export * from './system/system.subjects';
export * from './system/system.messages';
export * from './events';
export * from './request-map';
export * from './catalog/catalog.subjects';
export * from './catalog/catalog.messages';
