/**
 * Errors of the HLS emitter and the C-simulation driver (all {@link HlsemuError}s).
 */
import { HlsemuError } from '../errors.js';

/** The output directory exists and is not empty (pass `force` to overwrite). */
export class ProjectExistsError extends HlsemuError {
  override name = 'ProjectExistsError';
  /** @example new ProjectExistsError('out/prj') */
  constructor(path: string) {
    super('exists', path, 'output directory exists and is not empty (use force / --force to overwrite)');
  }
}

/** A tool the C simulation needs is missing: AP_TYPES_INCLUDE, ap_fixed.h / hls_stream.h, g++. */
export class ToolchainError extends HlsemuError {
  override name = 'ToolchainError';
  /** @example new ToolchainError('AP_TYPES_INCLUDE', 'not set') */
  constructor(path: string, message: string) {
    super('toolchain', path, message);
  }
}

/** Building or running the emitted C simulation failed, or its output is malformed. */
export class CsimError extends HlsemuError {
  override name = 'CsimError';
  /** Compiler / program output, when there is some. */
  readonly log: string;
  /** @example new CsimError('build', 'g++ exited with code 1', stderr) */
  constructor(path: string, message: string, log = '') {
    super('csim', path, message);
    this.log = log;
  }
}
