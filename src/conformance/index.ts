/**
 * Conformance checking against reference vectors: the runner plus every registered case kind.
 */
export * from './runner.js';
export { checkApFixedCase, AP_FIXED_OPS } from './ap-fixed.js';
export { checkReferenceModelFile, checkImportCase, isImportCaseDir } from './models.js';

import { registerCaseChecker, registerUnitChecker } from './runner.js';
import { modelUnitCheckers } from './models.js';
import { checkHls4mlKernelCase } from './hls4ml-kernels.js';

registerCaseChecker('hls4ml-kernel', (c) => typeof c.kernel === 'string', checkHls4mlKernelCase);
for (const u of modelUnitCheckers) registerUnitChecker(u);
