/**
 * hlsemu — bit-exact emulation of hls4ml / Vivado-Vitis HLS fixed-point neural-network firmware.
 *
 * Data flow: import (tfjs, Keras, ONNX) → ModelGraph → hls4ml config + passes → FirmwareGraph →
 * emulate (predict, trace, overflow report) / emit (HLS C++ project) / conformance.
 */
export * from './errors.js';
export * from './fixed/index.js';
export * from './kernels/index.js';
export * from './graph/index.js';
export * from './import/index.js';
export * from './emulate/index.js';
export * from './conformance/index.js';
export * from './ptq/index.js';
export * from './emit/index.js';
export * from './data/fashion-mnist.js';
export * from './data/idx.js';
export { parseNpy, type NpyArray } from './io/npy.js';
