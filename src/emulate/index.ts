/**
 * Emulation: predict, trace and overflow reports on a FirmwareGraph.
 */
export * from './inputs.js';
export * from './compile.js';
export * from './predict.js';
export * from './report.js';
export * from './parallel.js';
export * from './float.js';
