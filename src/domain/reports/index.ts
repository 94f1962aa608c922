export * from './completeness.js';
export * from './export.js';
export * from './period-rows.js';
export * from './schedule-source.js';
export * from './status-format.js';
export * from './owing.js';
export * from './aggregate.js';
export * from './export-document.js';
