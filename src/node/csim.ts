/**
 * `csimProject`: builds an emitted HLS project with g++ (needs the Xilinx `ap_types` headers via
 * `AP_TYPES_INCLUDE`), runs its testbench and compares every output with a reference — a function
 * `(rawInputs) => rawOutputs` (e.g. the emulator), or the project's `tb/expected.txt`. Mismatching
 * samples are re-run with per-layer tracing to name the first layer that diverges.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FormatError } from '../errors.js';
import { parseFixedType } from '../fixed/index.js';
import { CsimError, ToolchainError } from '../emit/errors.js';
import { formatRows, toRawPortRows, type RawValue } from '../emit/inputs.js';
import { CSIM_CXXFLAGS, manifestInputs, manifestOutputs, type ProjectManifest } from '../emit/project.js';

/** Values of one testbench line: every port's size together. */
const lineSize = (ports: ReadonlyArray<{ size: number }>): number => ports.reduce((a, p) => a + p.size, 0);

/** What a reference returns: outputs only, or outputs plus per-layer traces (by layer name). */
export type ReferenceResult = readonly (readonly RawValue[])[] | { outputs: readonly (readonly RawValue[])[]; trace?: Record<string, readonly (readonly RawValue[])[]> };

/** A comparison source: raw inputs (one array per sample) → raw outputs (and optionally traces). */
export type CsimReference = (rawInputs: RawValue[][]) => ReferenceResult | Promise<ReferenceResult>;

/** Options of {@link csimProject}. */
export interface CsimOptions {
  /** Samples to simulate (raw mantissas unless `inputKind` is 'float'). Default: tb/inputs.txt. */
  inputs?: readonly (readonly RawValue[])[];
  inputKind?: 'raw' | 'float';
  /** Reference outputs. Default: tb/expected.txt when present (and no `inputs` are given), else none. */
  reference?: CsimReference;
  /**
   * 'on-mismatch' (default): re-run failing samples with tracing to find the first diverging layer;
   * 'always': trace every sample and compare every layer the reference traces; 'off'.
   */
  trace?: 'on-mismatch' | 'always' | 'off';
  /** Directory with ap_fixed.h / hls_stream.h. Default: env AP_TYPES_INCLUDE. */
  apTypesInclude?: string;
  /** C++ compiler. Default: env CXX or 'g++'. */
  cxx?: string;
  /** Rebuild even when the binary is up to date. */
  rebuild?: boolean;
  /** How many mismatching samples to describe (default 10). */
  maxReported?: number;
}

/** One mismatching sample. */
export interface CsimMismatch {
  sample: number;
  /** Number of differing output values. */
  count: number;
  /** First differing output index and values (raw). */
  index: number;
  got: string;
  expected: string;
  /** First layer (execution order) whose traced output differs, when traces allow it. */
  layer?: { name: string; index: number; got: string; expected: string };
}

/** Result of {@link csimProject}. */
export interface CsimResult {
  dir: string;
  name: string;
  samples: number;
  /** Whether there was anything to compare with. */
  compared: boolean;
  referenceSource: 'function' | 'expected-file' | 'none';
  passed: number;
  failed: number;
  mismatches: CsimMismatch[];
  /** trace 'always': samples whose traced output differs, per layer. */
  layerMismatches?: Record<string, number>;
  /** Raw outputs as decimal strings, one array per sample. */
  outputs: string[][];
  timings: { buildMs: number; runMs: number; samplesPerSecond: number; rebuilt: boolean };
  /** The testbench's stdout. */
  log: string;
}

function readManifest(dir: string): ProjectManifest {
  const p = join(dir, 'hlsemu.json');
  if (!existsSync(p)) throw new FormatError(p, 'not an hlsemu HLS project (no hlsemu.json; emit one with emitProject / hlsemu emit)');
  let m: ProjectManifest;
  try {
    m = JSON.parse(readFileSync(p, 'utf8')) as ProjectManifest;
  } catch (e) {
    throw new FormatError(p, `invalid JSON: ${(e as Error).message}`);
  }
  if (m.format !== 'hlsemu-hls-project/1') throw new FormatError(`${p}.format`, `unknown project format ${JSON.stringify(m.format)}`);
  return m;
}

/**
 * The ap_types include directory to use, checked: it must hold ap_fixed.h and hls_stream.h.
 * Throws {@link ToolchainError} when unset or incomplete.
 *
 * @example const inc = resolveApTypes(process.env.AP_TYPES_INCLUDE);
 */
export function resolveApTypes(dir: string | undefined = process.env.AP_TYPES_INCLUDE): string {
  if (!dir) {
    throw new ToolchainError(
      'AP_TYPES_INCLUDE',
      'not set: point it to a directory with ap_fixed.h, ap_int.h and hls_stream.h (<Vitis install>/include, or the open-source Xilinx ap_types release)',
    );
  }
  const abs = resolve(dir);
  for (const f of ['ap_fixed.h', 'ap_int.h', 'hls_stream.h']) {
    if (!existsSync(join(abs, f))) throw new ToolchainError('AP_TYPES_INCLUDE', `${abs} has no ${f}`);
  }
  return abs;
}

function checkCompiler(cxx: string): void {
  const r = spawnSync(cxx, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new ToolchainError('CXX', `cannot run the C++ compiler '${cxx}' (${r.error?.message ?? `exit ${r.status}`})`);
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestMtime(p));
    else t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Compile the project's C simulation into `<dir>/build/csim` (two translation units in parallel,
 * flags {@link CSIM_CXXFLAGS}); skipped when the binary is newer than every source and was built
 * with the same compiler, flags and headers. Returns whether it compiled.
 *
 * @example await buildCsim('out/prj', { apTypesInclude: '/opt/ap_types' });
 */
export async function buildCsim(dir: string, options: Pick<CsimOptions, 'apTypesInclude' | 'cxx' | 'rebuild'> = {}): Promise<boolean> {
  const root = resolve(dir);
  const m = readManifest(root);
  const inc = resolveApTypes(options.apTypesInclude ?? process.env.AP_TYPES_INCLUDE);
  const cxx = options.cxx ?? process.env.CXX ?? 'g++';
  checkCompiler(cxx);
  const build = join(root, 'build');
  mkdirSync(build, { recursive: true });
  const bin = join(build, 'csim');
  const stampPath = join(build, 'hlsemu-build.txt');
  const stamp = JSON.stringify({ cxx, flags: CSIM_CXXFLAGS, inc });
  const sourcesTime = Math.max(newestMtime(join(root, 'firmware')), newestMtime(join(root, 'tb')));
  if (!options.rebuild && existsSync(bin) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp && statSync(bin).mtimeMs >= sourcesTime) {
    return false;
  }
  const includes = [`-I${inc}`, '-Ifirmware', '-Ifirmware/hlsemu'];
  const units: Array<[string, string]> = [
    [`firmware/${m.name}.cpp`, `build/${m.name}.o`],
    [`tb/${m.name}_test.cpp`, `build/${m.name}_test.o`],
  ];
  const results = await Promise.all(units.map(([src, obj]) => run(cxx, [...CSIM_CXXFLAGS, ...includes, '-c', src, '-o', obj], root)));
  results.forEach((r, k) => {
    if (r.code !== 0) throw new CsimError(units[k]![0], `${cxx} failed (exit ${r.code}):\n${r.stderr.split('\n').slice(0, 30).join('\n')}`, r.stderr);
  });
  const link = await run(cxx, [...CSIM_CXXFLAGS, ...units.map((u) => u[1]), '-o', 'build/csim'], root);
  if (link.code !== 0) throw new CsimError('build/csim', `linking failed (exit ${link.code}):\n${link.stderr}`, link.stderr);
  writeFileSync(stampPath, stamp);
  return true;
}

function parseRows(text: string, width: number, path: string): string[][] {
  const rows: string[][] = [];
  text.split('\n').forEach((line, k) => {
    const s = line.trim();
    if (!s || s.startsWith('#')) return;
    const row = s.split(/\s+/);
    if (row.length !== width) throw new CsimError(`${path}:${k + 1}`, `expected ${width} values, got ${row.length}`);
    rows.push(row);
  });
  return rows;
}

/** Per sample: layer name → raw outputs (the trace file names layers by their C identifiers). */
function parseTrace(text: string, m: ProjectManifest): Array<Map<string, string[]>> {
  const byC = new Map(m.layers.map((L) => [L.cname, L.name]));
  const samples: Array<Map<string, string[]>> = [];
  let cur: Map<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    if (!line) continue;
    if (line.startsWith('# sample')) {
      cur = new Map();
      samples.push(cur);
      continue;
    }
    const parts = line.trim().split(/\s+/);
    cur?.set(byC.get(parts[0]!) ?? parts[0]!, parts.slice(1));
  }
  return samples;
}

async function simulate(root: string, m: ProjectManifest, inputs: RawValue[][] | undefined, tag: string, trace: boolean): Promise<{ outputs: string[][]; trace?: Array<Map<string, string[]>>; ms: number; log: string }> {
  const inPath = inputs ? join('build', `${tag}_inputs.txt`) : join('tb', 'inputs.txt');
  if (inputs) writeFileSync(join(root, inPath), formatRows(inputs));
  const outPath = join('build', `${tag}_outputs.txt`);
  const tracePath = join('build', `${tag}_trace.txt`);
  const t0 = Date.now();
  const r = await run(join(root, 'build', 'csim'), [inPath, outPath, ...(trace ? [tracePath] : [])], root);
  const ms = Date.now() - t0;
  if (r.code !== 0) throw new CsimError('build/csim', `the C simulation failed (exit ${r.code}):\n${r.stderr}${r.stdout}`, r.stderr);
  const outputs = parseRows(readFileSync(join(root, outPath), 'utf8'), lineSize(manifestOutputs(m)), outPath);
  return { outputs, trace: trace ? parseTrace(readFileSync(join(root, tracePath), 'utf8'), m) : undefined, ms, log: r.stdout };
}

/** Reference rows as compared (values are compared by their decimal text). */
type RefRows = readonly (readonly (RawValue | string)[])[];
interface NormalRef {
  outputs: RefRows;
  trace?: Record<string, RefRows>;
}

function normRef(r: ReferenceResult): NormalRef {
  return Array.isArray(r) ? { outputs: r as RefRows } : (r as NormalRef);
}

function firstLayerDiff(m: ProjectManifest, got: Map<string, string[]> | undefined, refTrace: Record<string, RefRows> | undefined, sample: number): CsimMismatch['layer'] {
  if (!got || !refTrace) return undefined;
  for (const L of m.layers) {
    const exp = refTrace[L.name]?.[sample];
    const g = got.get(L.name);
    if (!exp || !g) continue;
    for (let i = 0; i < Math.max(exp.length, g.length); i++) {
      if (String(exp[i]) !== g[i]) return { name: L.name, index: i, got: g[i] ?? '(missing)', expected: exp[i] === undefined ? '(missing)' : String(exp[i]) };
    }
  }
  return undefined;
}

/** Samples per second as the testbench measured it (simulation only), else from the wall time. */
function throughput(log: string, samples: number, ms: number): number {
  const m = /(\d+) samples in ([\d.]+) s/.exec(log);
  if (m && Number(m[2]) > 0) return Number(m[1]) / Number(m[2]);
  return ms > 0 ? (samples * 1000) / ms : 0;
}

/**
 * Build (if needed) and run the C simulation of an emitted project, then compare its raw outputs
 * with the reference. Throws {@link ToolchainError} without AP_TYPES_INCLUDE / g++,
 * {@link CsimError} when compiling or running fails.
 *
 * @example
 * const r = await csimProject('out/svhn', { reference: (x) => emulator.predictRaw(x) });
 * console.log(formatCsimResult(r)); // '16 passed, 0 failed'
 */
export async function csimProject(dir: string, options: CsimOptions = {}): Promise<CsimResult> {
  const root = resolve(dir);
  const m = readManifest(root);
  const t0 = Date.now();
  const rebuilt = await buildCsim(root, options);
  const buildMs = Date.now() - t0;
  const inPorts = manifestInputs(m).map((p) => ({ size: p.size, type: parseFixedType(p.type) }));
  let inputs: RawValue[][] | undefined;
  if (options.inputs) {
    if (options.inputs.length === 0) throw new CsimError('inputs', 'no samples given');
    inputs = toRawPortRows(options.inputs, inPorts, options.inputKind ?? 'raw');
  }
  const traceMode = options.trace ?? 'on-mismatch';
  const sim = await simulate(root, m, inputs, 'csim', traceMode === 'always');
  const samples = sim.outputs.length;

  // Reference.
  let referenceSource: CsimResult['referenceSource'] = 'none';
  let ref: NormalRef | undefined;
  const rawInputs = (): RawValue[][] => inputs ?? parseRows(readFileSync(join(root, 'tb', 'inputs.txt'), 'utf8'), lineSize(inPorts), 'tb/inputs.txt').map((r) => r.map((v) => (Math.abs(Number(v)) < 2 ** 53 ? Number(v) : BigInt(v))));
  if (options.reference) {
    ref = normRef(await options.reference(rawInputs()));
    referenceSource = 'function';
  } else if (!inputs && m.hasExpected && existsSync(join(root, 'tb', 'expected.txt'))) {
    ref = { outputs: parseRows(readFileSync(join(root, 'tb', 'expected.txt'), 'utf8'), lineSize(manifestOutputs(m)), 'tb/expected.txt') };
    referenceSource = 'expected-file';
  }

  const mismatches: CsimMismatch[] = [];
  let failed = 0;
  let layerMismatches: Record<string, number> | undefined;
  if (ref) {
    if (ref.outputs.length !== samples) throw new CsimError('reference', `reference has ${ref.outputs.length} samples, the simulation ${samples}`);
    const failing: number[] = [];
    for (let s = 0; s < samples; s++) {
      const exp = ref.outputs[s]!;
      const got = sim.outputs[s]!;
      let count = 0;
      let first = -1;
      for (let i = 0; i < got.length; i++) {
        if (String(exp[i]) !== got[i]) {
          count++;
          if (first < 0) first = i;
        }
      }
      if (exp.length !== got.length && first < 0) first = Math.min(exp.length, got.length);
      if (count > 0 || exp.length !== got.length) {
        failed++;
        failing.push(s);
        if (mismatches.length < (options.maxReported ?? 10)) {
          mismatches.push({ sample: s, count: Math.max(count, 1), index: first, got: got[first] ?? '(missing)', expected: exp[first] === undefined ? '(missing)' : String(exp[first]) });
        }
      }
    }
    if (traceMode === 'always' && sim.trace && ref.trace) {
      layerMismatches = {};
      for (const L of m.layers) {
        const exp = ref.trace[L.name];
        if (!exp) continue;
        let n = 0;
        for (let s = 0; s < samples; s++) {
          const g = sim.trace[s]?.get(L.name);
          const e = exp[s];
          if (!g || !e || g.length !== e.length || g.some((v, i) => v !== String(e[i]))) n++;
        }
        layerMismatches[L.name] = n;
      }
      for (const mm of mismatches) mm.layer = firstLayerDiff(m, sim.trace[mm.sample], ref.trace, mm.sample);
    } else if (traceMode === 'on-mismatch' && mismatches.length > 0) {
      // Re-run the reported samples with tracing and ask the reference for its traces of them.
      const all = rawInputs();
      const picked = mismatches.map((mm) => all[mm.sample]!);
      const traced = await simulate(root, m, picked, 'csim_mismatch', true);
      let refTrace = ref.trace;
      let pickIndex = mismatches.map((mm) => mm.sample);
      if (referenceSource === 'function' && options.reference) {
        const again = normRef(await options.reference(picked));
        if (again.trace) {
          refTrace = again.trace;
          pickIndex = picked.map((_, k) => k);
        }
      }
      mismatches.forEach((mm, k) => {
        mm.layer = firstLayerDiff(m, traced.trace?.[k], refTrace, pickIndex[k]!);
      });
    }
  }
  return {
    dir: root,
    name: m.name,
    samples,
    compared: !!ref,
    referenceSource,
    passed: ref ? samples - failed : 0,
    failed,
    mismatches,
    layerMismatches,
    outputs: sim.outputs,
    timings: { buildMs, runMs: sim.ms, samplesPerSecond: throughput(sim.log, samples, sim.ms), rebuilt },
    log: sim.log,
  };
}

/**
 * Human-readable report: `N passed, M failed` and the first mismatches with layer names.
 *
 * @example console.log(formatCsimResult(await csimProject('out/prj')));
 */
export function formatCsimResult(r: CsimResult): string {
  const lines: string[] = [];
  const t = r.timings;
  lines.push(`${r.name}: ${r.samples} samples simulated (${t.rebuilt ? `built in ${(t.buildMs / 1000).toFixed(1)} s, ` : ''}ran in ${(t.runMs / 1000).toFixed(2)} s, ${t.samplesPerSecond.toFixed(1)} samples/s)`);
  if (!r.compared) {
    lines.push('no reference to compare with (outputs written to build/csim_outputs.txt)');
    return lines.join('\n');
  }
  lines.push(`reference: ${r.referenceSource === 'function' ? 'reference function (emulator or given outputs)' : 'tb/expected.txt'}`);
  if (r.layerMismatches) {
    const bad = Object.entries(r.layerMismatches).filter(([, n]) => n > 0);
    lines.push(bad.length ? `traced layers differing: ${bad.map(([k, n]) => `${k} (${n} samples)`).join(', ')}` : `all ${Object.keys(r.layerMismatches).length} traced layers match`);
  }
  for (const mm of r.mismatches) {
    let s = `  sample ${mm.sample}: ${mm.count} output value(s) differ; first output[${mm.index}] = ${mm.got}, expected ${mm.expected}`;
    if (mm.layer) s += `; first diverging layer '${mm.layer.name}' at [${mm.layer.index}]: ${mm.layer.got}, expected ${mm.layer.expected}`;
    lines.push(s);
  }
  if (r.failed > r.mismatches.length) lines.push(`  … and ${r.failed - r.mismatches.length} more failing samples`);
  lines.push(`${r.passed} passed, ${r.failed} failed`);
  return lines.join('\n');
}
