export * from './version.ts';
export * from './topics.ts';
export * from './envelope.ts';
export * from './errors.ts';
export * from './kinds/index.ts';
export * from './messages/index.ts';
export * from './decode.ts';
export * from './stamp.ts';
