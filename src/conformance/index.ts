/**
 * Conformance checking against reference vectors: the runner plus every registered case kind.
 */
export * from './runner.js';
export { checkApFixedCase, AP_FIXED_OPS } from './ap-fixed.js';
