/**
 * Step 3 of the conversion: hls4ml's backend passes that change the graph (zero-padding insertion
 * for 'same' convolutions in io_stream) and the lowering of the typed working graph into a
 * FirmwareGraph, each node by its layer module (src/layers): config-struct fields, raw weights in
 * the C arrays' order, reuse-factor validation, table sizes, Encoded instructions.
 */
import { ConfigError, UnsupportedError } from '../errors.js';
import type { FixedType } from '../fixed/types.js';
import { insertStreamPadding } from '../layers/conv.js';
import { hlsClass } from '../layers/registry.js';
import type { FirmwareGraph, FirmwareInput, FirmwareLayer } from './firmware.js';
import { kindOf, nodeByName, type HlsGraph, type HlsNode } from './hls-graph.js';
import type { PrecisionKind } from './model.js';

/** Insert hls4ml's ZeroPadding layers before padded convolutions in io_stream (`zp1d_`/`zp2d_` + conv name). */
function insertStreamPaddings(g: HlsGraph): void {
  if (g.ioType !== 'io_stream') return;
  for (const n of [...g.nodes]) {
    if (!hlsClass(n.cls, n.name).streamSamePadding) continue;
    const p = insertStreamPadding(n);
    if (!p) continue;
    const oneD = p.padded.length === 2;
    const src = n.inputs[0]!;
    const zp: HlsNode = {
      name: `${oneD ? 'zp1d_' : 'zp2d_'}${n.name}`,
      cls: oneD ? 'ZeroPadding1D' : 'ZeroPadding2D',
      inputs: [src],
      shapeIn: [n.shapeIn[0]!],
      shapeOut: p.padded,
      attrs: { padding: oneD ? [p.pads[0], p.pads[1]] : [[p.pads[0], p.pads[1]], [p.pads[2], p.pads[3]]] },
      types: { result: nodeByName(g, src)!.types.result! },
      weights: {},
      settings: {},
    };
    n.inputs = [zp.name];
    n.shapeIn = [p.padded];
    g.nodes.splice(g.nodes.indexOf(n), 0, zp);
    g.changes.push(`${zp.name} (ZeroPadding) inserted before ${n.name} ('same' padding in io_stream)`);
  }
}

/**
 * Apply hls4ml's backend passes and lower the typed working graph to a FirmwareGraph.
 *
 * @example const fw = lowerToFirmware(g);
 */
export function lowerToFirmware(g: HlsGraph): FirmwareGraph {
  insertStreamPaddings(g);
  // hls4ml's input variables, in the model's input order, each with its own precision.
  const inputNodes = g.nodes.filter((n) => n.cls === 'Input');
  if (inputNodes.length === 0) throw new UnsupportedError('inputs', 'the model has no input');
  const inputs: FirmwareInput[] = inputNodes.map((n) => {
    const t = n.types.result;
    if (t === undefined || t === 'auto') throw new ConfigError(`${n.name}.result`, 'type not resolved');
    return { name: n.name, shape: [...n.shapeOut], type: t };
  });
  if (g.outputs.length === 0) throw new UnsupportedError('outputs', 'the model has no output');
  g.outputs.forEach((o, k) => {
    if (inputNodes.some((n) => n.name === o)) throw new UnsupportedError(`outputs[${k}]`, `model output '${o}' is a model input (after conversion): the firmware has no layer producing it`);
    if (g.outputs.indexOf(o) !== k) throw new UnsupportedError(`outputs[${k}]`, `model output '${o}' is listed twice (after conversion)`);
  });
  // The result type each tensor has in the firmware (in-place layers keep their input's).
  const resultOf = new Map<string, FixedType>(inputs.map((i) => [i.name, i.type]));
  const kindOfResult = new Map<string, PrecisionKind>(g.nodes.map((n) => [n.name, kindOf(n, 'result')]));
  const warnings: string[] = [...g.warnings];
  const layers: FirmwareLayer[] = [];
  for (const n of g.nodes) {
    if (n.cls === 'Input') continue;
    const inputTypes = n.inputs.map((i) => {
      const t = resultOf.get(i);
      if (!t) throw new ConfigError(`${n.name}.inputs`, `input '${i}' has no resolved type`);
      return t;
    });
    const L = hlsClass(n.cls, n.name).lower(n, {
      graph: g,
      io: g.ioType,
      inputTypes,
      inputKinds: n.inputs.map((i) => kindOfResult.get(i) ?? 'fixed'),
      change: (t) => g.changes.push(t),
      warn: (t) => warnings.push(t),
    }) as FirmwareLayer;
    resultOf.set(L.name, L.types.result);
    // a layer whose result is its input itself (in-place reshapes) carries the input's precision class
    if (L.types.result === inputTypes[0] && n.inputs[0] !== undefined) kindOfResult.set(L.name, kindOfResult.get(n.inputs[0]) ?? 'fixed');
    layers.push(L);
  }
  const fw: FirmwareGraph = { name: g.name, ioType: g.ioType, inputs, input: inputs[0]!, layers, outputs: [...g.outputs], output: g.outputs[0]!, changes: g.changes };
  if (warnings.length) fw.warnings = warnings;
  return fw;
}
