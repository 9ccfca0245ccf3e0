/**
 * The public conformance check: run reference-vector files (JSON Lines cases, whole-model files,
 * import case directories) through hlsemu and count passes and failures, file by file.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import { FormatError, HlsemuError } from '../errors.js';
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

function describeError(e: unknown): string {
  if (e instanceof HlsemuError) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
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
    text = readFileSync(file, 'utf8');
  } catch (e) {
    rep.failed++;
    rep.failures.push(`cannot read: ${describeError(e)}`);
    return rep;
  }
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
  return rep;
}

function collect(path: string, out: string[]): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    out.push(path); // reported as unreadable later
    return;
  }
  if (st.isDirectory()) {
    if (unitCheckers.some((u) => u.accepts(path))) {
      out.push(path);
      return;
    }
    for (const name of readdirSync(path).sort()) {
      const p = join(path, name);
      const s = statSync(p);
      if (s.isDirectory()) collect(p, out);
      else if (name.endsWith('.jsonl') || (name.endsWith('.json') && unitCheckers.some((u) => u.accepts(p)))) out.push(p);
    }
  } else out.push(path);
}

/**
 * Check files and directories (recursively: `*.jsonl`, and model files / case directories that a
 * registered unit checker accepts).
 *
 * @example
 * const reports = await runConformance(['test/golden/ap_fixed']);
 */
export async function runConformance(paths: string[]): Promise<FileReport[]> {
  const files: string[] = [];
  for (const p of paths) collect(p, files);
  const reports: FileReport[] = [];
  for (const f of files) {
    const unit = unitCheckers.find((u) => u.accepts(f));
    if (unit) {
      try {
        reports.push(await unit.check(f));
      } catch (e) {
        reports.push({ file: f, passed: 0, failed: 1, failures: [describeError(e)] });
      }
    } else if (f.endsWith('.jsonl')) reports.push(checkJsonlFile(f));
    else if (!existsSync(f)) reports.push({ file: f, passed: 0, failed: 1, failures: ['no such file or directory'] });
    else reports.push({ file: f, passed: 0, failed: 1, failures: [`unknown file kind '${basename(f)}' (expected *.jsonl, a model file or an import case directory)`] });
  }
  return reports;
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
