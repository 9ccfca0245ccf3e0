/**
 * The layer kernels: bit-exact TypeScript versions of hls4ml's `nnet_utils` C++ kernels, working
 * on raw mantissas. See docs/kernels.md for the cast sequence of each kernel.
 */
export {
  EXACT_BITS,
  mergeKernelStats,
  newKernelStats,
  type ArithPath,
  type KernelOptions,
  type KernelStats,
  type RawInput,
  type RawOutput,
} from './common.js';
export * from './reuse-factor.js';
export * from './dense.js';
export * from './conv-instructions.js';
export * from './conv.js';
export * from './pooling.js';
export * from './batchnorm.js';
export * from './libm.js';
export * from './tables.js';
export * from './activations.js';
export * from './softmax.js';
export * from './zeropad.js';
export * from './merge.js';
export * from './geometry.js';
export * from './depthwise.js';
export * from './recurrent.js';
export * from './layernorm.js';
export * from './einsum.js';
export * from './activations-ext.js';
export * from './image.js';
export * from './cropping.js';
export * from './transpose.js';
export * from './embed.js';
