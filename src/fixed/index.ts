/**
 * The arithmetic core: fixed-point types, quantization (number fast path and exact BigInt path),
 * full-precision operators, comparisons and exact decimal text.
 */
export * from './types.js';
export * from './double.js';
export * from './quantize-big.js';
export * from './quantize.js';
export * from './ops.js';
export * from './compare.js';
export * from './decimal.js';
export * from './fixed.js';
