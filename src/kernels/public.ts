/**
 * The layer kernels as a public API (the `kernels` namespace of the package): each hls4ml kernel
 * as a function on raw mantissas with its config struct, plus the overflow statistics type.
 * Back ends, casters and table builders are internal.
 */
export { newKernelStats, mergeKernelStats, type KernelOptions, type KernelStats, type RawInput, type RawOutput } from './common.js';
export { dense, type DenseConfig, type DenseTypes } from './dense.js';
export { conv1d, conv2d, prepareConv1d, prepareConv2d, type Conv1DConfig, type Conv2DConfig } from './conv.js';
export { pooling1d, pooling2d, globalPooling1d, globalPooling2d, type Pooling1DConfig, type Pooling2DConfig } from './pooling.js';
export { batchnorm, type BatchNormConfig } from './batchnorm.js';
export { linear, relu, leakyRelu, sigmoid, tanh, type ActivationConfig } from './activations.js';
export { softmax, type SoftmaxConfig } from './softmax.js';
export { zeropad1d, zeropad2d } from './zeropad.js';
export { add, merge, concatenate, type MergeConfig, type ConcatConfig } from './merge.js';
export { validReuseFactor } from './reuse-factor.js';
export { computeConv1dInstructions, computeConv2dInstructions } from './conv-instructions.js';
