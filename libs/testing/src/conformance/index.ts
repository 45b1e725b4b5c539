export * from './descriptor';
export * from './kit';
