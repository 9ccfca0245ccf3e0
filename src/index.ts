/**
 * hlsemu — bit-exact emulation of hls4ml / Vivado-Vitis HLS fixed-point neural-network firmware.
 */
export * from './errors.js';
export * from './fixed/index.js';
