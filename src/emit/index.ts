/**
 * The HLS C++ emitter: `emitProject` writes a Vivado / Vitis HLS project whose C simulation
 * reproduces a FirmwareGraph bit for bit; `csimProject` builds and runs that simulation with g++
 * and compares it with a reference (the emulator, or expected outputs).
 */
export { emitProject, CSIM_CXXFLAGS, type EmitOptions, type EmitResult, type ManifestPort, type ProjectManifest, manifestInputs, manifestOutputs } from './project.js';
export {
  buildCsim,
  csimProject,
  formatCsimResult,
  resolveApTypes,
  type CsimMismatch,
  type CsimOptions,
  type CsimReference,
  type CsimResult,
  type ReferenceResult,
} from './csim.js';
export { emulatorReference, referenceFromExpected } from './reference.js';
export { CsimError, ProjectExistsError, ToolchainError } from './errors.js';
export { cIdentifier } from './names.js';
export { randomRawInputs, type RawValue } from './inputs.js';
