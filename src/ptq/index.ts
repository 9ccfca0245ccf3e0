/**
 * Post-training quantization workflow: bit-width scans (homogeneous, per layer, per tensor kind),
 * profiling of weights and activations against configured types, per-layer type suggestion, and
 * their outputs (text tables, CSV, JSON, SVG plots). See docs/ptq.md.
 */
export * from './configs.js';
export * from './cost.js';
export * from './data.js';
export * from './output.js';
export * from './png.js';
export * from './profile.js';
export * from './qat.js';
export * from './progress.js';
export * from './scan.js';
export * from './search.js';
export * from './stats.js';
export * from './suggest.js';
export * from './svg.js';
export * from './equalize.js';
