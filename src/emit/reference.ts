/**
 * References for the C simulation: known expected values (a reference model file's inputs, outputs
 * and per-layer traces), or the emulator itself.
 */
import { ShapeError } from '../errors.js';
import { Emulator } from '../emulate/predict.js';
import { shapeSize, type FirmwareGraph, type FirmwareGraphSpec } from '../graph/firmware.js';
import type { CsimReference, ReferenceResult } from './csim.js';
import type { RawValue } from './inputs.js';

const key = (row: readonly RawValue[]): string => row.map((v) => String(v)).join(' ');

/**
 * A {@link CsimReference} that looks each input sample up among `inputs` and answers with the
 * matching row of `outputs` (and of every layer in `trace`). Throws ShapeError for an unknown input.
 *
 * @example
 * const ref = readReferenceModel(json);
 * await csimProject(dir, { inputs: ref.inputs, reference: referenceFromExpected(ref.inputs, ref.outputs, ref.trace) });
 */
export function referenceFromExpected(
  inputs: readonly (readonly RawValue[])[],
  outputs: readonly (readonly RawValue[])[],
  trace?: Record<string, readonly (readonly RawValue[])[]>,
): CsimReference {
  if (inputs.length !== outputs.length) throw new ShapeError('outputs', `${outputs.length} rows for ${inputs.length} inputs`);
  const index = new Map<string, number>();
  inputs.forEach((row, k) => {
    if (!index.has(key(row))) index.set(key(row), k);
  });
  return (rows): ReferenceResult => {
    const at = rows.map((r, k) => {
      const i = index.get(key(r));
      if (i === undefined) throw new ShapeError(`inputs[${k}]`, 'no expected output is known for this input sample');
      return i;
    });
    const out: { outputs: RawValue[][]; trace?: Record<string, RawValue[][]> } = { outputs: at.map((i) => [...outputs[i]!]) };
    if (trace) {
      out.trace = {};
      for (const [layer, rowsOfLayer] of Object.entries(trace)) out.trace[layer] = at.map((i) => [...(rowsOfLayer[i] ?? [])]);
    }
    return out;
  };
}

function splitRows(raw: ArrayLike<number> | readonly bigint[], n: number): RawValue[][] {
  const per = n > 0 ? raw.length / n : 0;
  const out: RawValue[][] = [];
  for (let s = 0; s < n; s++) out.push(Array.from({ length: per }, (_, i) => raw[s * per + i]!));
  return out;
}

/**
 * The emulator (src/emulate) as a C-simulation reference: raw outputs and every layer's trace for
 * the given raw inputs. Plug it into the CLI with `createCsimCommand(emulatorReference)`.
 *
 * @example await csimProject(dir, { reference: emulatorReference(graph), trace: 'always' });
 */
export function emulatorReference(graph: FirmwareGraph | FirmwareGraphSpec): CsimReference {
  const emu = new Emulator(graph);
  const sizes = emu.graph.inputs.map((p) => shapeSize(p.shape));
  return (inputs): ReferenceResult => {
    const n = inputs.length;
    // A testbench line holds the input ports one after the other; the outputs likewise.
    const total = sizes.reduce((a, b) => a + b, 0);
    inputs.forEach((row, k) => {
      if (row.length !== total) throw new ShapeError(`inputs[${k}]`, `expected ${total} values, got ${row.length}`);
    });
    let at = 0;
    const ports = sizes.map((size) => {
      const raw = new Float64Array(n * size);
      inputs.forEach((row, s) => {
        for (let i = 0; i < size; i++) raw[s * size + i] = Number(row[at + i]!);
      });
      at += size;
      return raw;
    });
    const r = emu.predictRaw(ports.length === 1 ? ports[0]! : ports, n, { trace: true });
    const trace: Record<string, RawValue[][]> = {};
    for (const [k, t] of Object.entries(r.trace ?? {})) trace[k] = splitRows(t.raw, n);
    const perPort = r.outputs.map((o) => splitRows(o.raw, n));
    return { outputs: Array.from({ length: n }, (_, s) => perPort.flatMap((rows) => rows[s]!)), trace };
  };
}
