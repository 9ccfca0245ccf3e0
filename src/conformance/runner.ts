/**
 * The public conformance check: run reference-vector files (JSON Lines cases, whole-model files,
 * import case directories) through hlsemu and count passes and failures, file by file.
 */
import { existsSync, readdirSync, realpathSync, statSync } from '../platform/fs.js';
import { basename, join } from '../platform/path.js';
import { formatErrorLine, FormatError } from '../errors.js';
import { fsReason, jsonDepth, readInputText } from '../io/files.js';
import { limits } from '../io/limits.js';
import { checkApFixedCase } from './ap-fixed.js';

/** Result of checking one file or case directory. */
export interface FileReport {
  file: string;
  passed: number;
  failed: number;
  /** The first failures, with their line numbers (or case names). */
  failures: string[];
}

/** A checker for one case object: null = pass, string = mismatch; throws FormatError for unknown kinds. */
export type CaseChecker = (c: Record<string, unknown>) => string | null;

/** A checker for a whole file or directory that is not JSON Lines (model files, import cases). */
export interface UnitChecker {
  /** True when this checker handles the path. */
  accepts(path: string): boolean;
  /** Check it; returns the per-file report. */
  check(path: string): Promise<FileReport> | FileReport;
}

const caseCheckers: { name: string; detect: (c: Record<string, unknown>) => boolean; check: CaseChecker }[] = [
  { name: 'ap_fixed', detect: (c) => typeof c.op === 'string', check: checkApFixedCase },
];
const unitCheckers: UnitChecker[] = [];

/**
 * Register a checker for JSON Lines cases recognised by `detect` (used by the kernel and model layers).
 *
 * @example registerCaseChecker('hls4ml-kernel', (c) => 'kernel' in c, checkKernelCase);
 */
export function registerCaseChecker(name: string, detect: (c: Record<string, unknown>) => boolean, check: CaseChecker): void {
  if (!caseCheckers.some((k) => k.name === name)) caseCheckers.push({ name, detect, check });
}

/** Register a checker for whole files/directories. @example registerUnitChecker({ accepts, check }) */
export function registerUnitChecker(u: UnitChecker): void {
  unitCheckers.push(u);
}

const MAX_LISTED = 5;

/** One line for a failure; anything but a typed error keeps its `internal error:` prefix (a bug in hlsemu, not in the case). */
function describeError(e: unknown): string {
  return formatErrorLine(e);
}

/**
 * Check every case of one JSON Lines file. Malformed lines and unknown kinds count as failures
 * (with their line numbers); nothing throws.
 *
 * @example checkJsonlFile('test/golden/ap_fixed/binop.jsonl').failed; // 0
 */
export function checkJsonlFile(file: string): FileReport {
  const rep: FileReport = { file, passed: 0, failed: 0, failures: [] };
  let text: string;
  try {
    text = readInputText(file, 'reference file');
  } catch (e) {
    rep.failed++;
    rep.failures.push(describeError(e).replace(`${file}: `, ''));
    return rep;
  }
  const maxDepth = limits().maxJsonDepth;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let msg: string | null;
    try {
      let c: unknown;
      try {
        c = JSON.parse(line);
      } catch {
        throw new FormatError('', 'malformed JSON');
      }
      if (!c || typeof c !== 'object' || Array.isArray(c)) throw new FormatError('', 'a case must be a JSON object');
      if (jsonDepth(c, maxDepth) > maxDepth) throw new FormatError('', `nested more than ${maxDepth} levels deep`);
      const obj = c as Record<string, unknown>;
      const k = caseCheckers.find((cc) => cc.detect(obj));
      if (!k) throw new FormatError('', `unknown case kind (keys: ${Object.keys(obj).slice(0, 6).join(', ')})`);
      msg = k.check(obj);
    } catch (e) {
      msg = describeError(e);
    }
    if (msg === null) rep.passed++;
    else {
      rep.failed++;
      if (rep.failures.length < MAX_LISTED) rep.failures.push(`line ${i + 1}: ${msg}`);
    }
  }
  if (rep.passed + rep.failed === 0) {
    rep.failed = 1;
    rep.failures.push('no cases in this file');
  }
  return rep;
}

/** What {@link collect} found under one path given by the user. */
interface Collected {
  files: string[];
  /** Unreadable entries, with the reason. */
  errors: { file: string; reason: string }[];
}

function collect(path: string, out: Collected, seen: Set<string>): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    out.files.push(path); // reported as missing or unreadable when checked
    return 1;
  }
  if (!st.isDirectory()) {
    out.files.push(path);
    return 1;
  }
  if (unitCheckers.some((u) => u.accepts(path))) {
    out.files.push(path);
    return 1;
  }
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    real = path;
  }
  if (seen.has(real)) return 0; // a symbolic link back into a searched directory
  seen.add(real);
  let names: string[];
  try {
    names = readdirSync(path).sort();
  } catch (e) {
    out.errors.push({ file: path, reason: `cannot list the directory: ${fsReason(e)}` });
    return 1;
  }
  let found = 0;
  for (const name of names) {
    const p = join(path, name);
    let s;
    try {
      s = statSync(p);
    } catch (e) {
      if (name.endsWith('.jsonl') || name.endsWith('.json')) {
        out.errors.push({ file: p, reason: `cannot read: ${fsReason(e)}` });
        found++;
      }
      continue;
    }
    if (s.isDirectory()) found += collect(p, out, seen);
    else if (name.endsWith('.jsonl') || (name.endsWith('.json') && unitCheckers.some((u) => u.accepts(p)))) {
      out.files.push(p);
      found++;
    }
  }
  return found;
}

/**
 * Check files and directories (recursively: `*.jsonl`, and model files / case directories that a
 * registered unit checker accepts). Nothing counts as a pass by default: an empty file, a path
 * that does not exist and a directory without any reference file each add a failed report with
 * the reason.
 *
 * @example
 * const reports = await runConformance(['test/golden/ap_fixed']);
 */
export async function runConformance(paths: string[]): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  if (paths.length === 0) return [{ file: '(none)', passed: 0, failed: 1, failures: ['no files or directories given'] }];
  const seen = new Set<string>();
  for (const root of paths) {
    const found: Collected = { files: [], errors: [] };
    const n = collect(root, found, seen);
    if (n === 0) {
      reports.push({ file: root, passed: 0, failed: 1, failures: ['no reference files here (*.jsonl, model_*.json, import case directories)'] });
      continue;
    }
    for (const e of found.errors) reports.push({ file: e.file, passed: 0, failed: 1, failures: [e.reason] });
    for (const f of found.files) reports.push(await checkOne(f));
  }
  return reports;
}

async function checkOne(f: string): Promise<FileReport> {
  const unit = unitCheckers.find((u) => u.accepts(f));
  if (unit) {
    try {
      const rep = await unit.check(f);
      if (rep.passed + rep.failed === 0) return { ...rep, failed: 1, failures: ['nothing to compare (no outputs or traced layers)'] };
      return rep;
    } catch (e) {
      return { file: f, passed: 0, failed: 1, failures: [describeError(e)] };
    }
  }
  if (f.endsWith('.jsonl')) return checkJsonlFile(f);
  if (!existsSync(f)) return { file: f, passed: 0, failed: 1, failures: ['no such file or directory'] };
  return { file: f, passed: 0, failed: 1, failures: [`unknown file kind '${basename(f)}' (expected *.jsonl, a model file or an import case directory)`] };
}

/**
 * The exit code of `hlsemu conformance` for these reports: 0 when at least one case was checked
 * and every case passed, else 1.
 *
 * @example conformanceExitCode(await runConformance(['test/golden'])) // 0
 */
export function conformanceExitCode(reports: readonly FileReport[]): 0 | 1 {
  const passed = reports.reduce((n, r) => n + r.passed, 0);
  return reports.length > 0 && passed > 0 && reports.every((r) => r.failed === 0) ? 0 : 1;
}

/**
 * Format reports as the CLI prints them: one line per file, failures indented, last line `N passed, M failed`.
 *
 * @example console.log(formatReports(await runConformance(['test/golden'])));
 */
export function formatReports(reports: FileReport[]): string {
  const out: string[] = [];
  let p = 0;
  let f = 0;
  for (const r of reports) {
    p += r.passed;
    f += r.failed;
    out.push(`${r.failed ? 'FAIL' : 'ok  '} ${r.file}: ${r.passed} passed, ${r.failed} failed`);
    for (const m of r.failures) out.push(`       ${m}`);
  }
  out.push(`${p} passed, ${f} failed`);
  return out.join('\n');
}
