/**
 * Graphs: the imported float model (ModelGraph), the hls4ml config format, hls4ml's conversion
 * passes, and the FirmwareGraph contract.
 */
export * from './model.js';
export * from './firmware.js';
export * from './config.js';
export * from './convert.js';
export * from './weights.js';
export * from './reference-model.js';
