/**
 * Conformance checking against reference vectors: the runner plus every registered case kind.
 */
export * from './runner.js';
export { checkApFixedCase, AP_FIXED_OPS } from './ap-fixed.js';
export { checkReferenceModelFile, checkImportCase, isImportCaseDir, validateReferenceModel } from './models.js';
export { validateKernelCase, MAX_TABLE_SIZE } from './kernel-case.js';

import { registerCaseChecker, registerUnitChecker } from './runner.js';
import { modelUnitCheckers } from './models.js';
import { checkHls4mlKernelCase } from './hls4ml-kernels.js';
import { validateKernelCase } from './kernel-case.js';

// Structure first (required fields, known impl / io_type, sizes bounded by the data), then the numbers.
registerCaseChecker('hls4ml-kernel', (c) => typeof c.kernel === 'string', (c) => {
  validateKernelCase(c);
  return checkHls4mlKernelCase(c);
});
for (const u of modelUnitCheckers) registerUnitChecker(u);
