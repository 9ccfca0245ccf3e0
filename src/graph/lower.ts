/**
 * Step 3 of the conversion: hls4ml's backend passes (zero-padding insertion for 'same' convs in
 * io_stream, in-place Reshape/Flatten, softmax table-size fix, reuse-factor validation, Encoded
 * instructions) and lowering of the typed working graph into a FirmwareGraph with raw weights and
 * the config-struct fields of each kernel.
 */
import { ConfigError, UnsupportedError } from '../errors.js';
import { type FixedType } from '../fixed/types.js';
import { computeConv1dInstructions, computeConv2dInstructions, poolTable } from '../kernels/conv-instructions.js';
import { validReuseFactor } from '../kernels/reuse-factor.js';
import type { FirmwareGraph, FirmwareLayer, FirmwareLayerClass, LayerTypes } from './firmware.js';
import { shapeSize } from './firmware.js';
import { nodeByName, type HlsGraph, type HlsNode } from './hls-graph.js';
import { weightsToRaw } from './weights.js';

/** 'same' padding split as hls4ml computes it (left/top gets the floor half). */
export function samePads(inSize: number, k: number, s: number): [number, number] {
  const total = inSize % s === 0 ? Math.max(k - s, 0) : Math.max(k - (inSize % s), 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function typed(n: HlsNode, k: string): FixedType {
  const t = n.types[k];
  if (t === undefined || t === 'auto') throw new ConfigError(`${n.name}.${k}`, 'type not resolved');
  return t;
}

function strategyOf(n: HlsNode): 'latency' | 'resource' {
  const s = String(n.settings.Strategy ?? 'Latency').toLowerCase();
  return s.startsWith('resource') ? 'resource' : 'latency';
}

/** Insert hls4ml's ZeroPadding layers before padded convs in io_stream (`zp1d_`/`zp2d_` + conv name). */
function insertStreamPadding(g: HlsGraph): void {
  if (g.ioType !== 'io_stream') return;
  for (const n of [...g.nodes]) {
    if ((n.cls !== 'Conv1D' && n.cls !== 'Conv2D') || n.attrs.padding !== 'same') continue;
    const shape = n.shapeIn[0]!;
    const ks = n.attrs.kernelSize as number[];
    const st = n.attrs.strides as number[];
    let pads: number[];
    let padded: number[];
    if (n.cls === 'Conv1D') {
      const [l, r] = samePads(shape[0]!, ks[0]!, st[0]!);
      pads = [l, r];
      padded = [shape[0]! + l + r, shape[1]!];
    } else {
      const [t, b] = samePads(shape[0]!, ks[0]!, st[0]!);
      const [l, r] = samePads(shape[1]!, ks[1]!, st[1]!);
      pads = [t, b, l, r];
      padded = [shape[0]! + t + b, shape[1]! + l + r, shape[2]!];
    }
    n.attrs.padding = 'valid';
    n.attrs.samePadded = true;
    if (pads.every((p) => p === 0)) continue;
    const src = n.inputs[0]!;
    const inType = nodeByName(g, src)!.types.result!;
    const zp: HlsNode = {
      name: `${n.cls === 'Conv1D' ? 'zp1d_' : 'zp2d_'}${n.name}`,
      cls: n.cls === 'Conv1D' ? 'ZeroPadding1D' : 'ZeroPadding2D',
      inputs: [src],
      shapeIn: [shape],
      shapeOut: padded,
      attrs: { padding: n.cls === 'Conv1D' ? [pads[0], pads[1]] : [[pads[0], pads[1]], [pads[2], pads[3]]] },
      types: { result: inType },
      weights: {},
      settings: {},
    };
    n.inputs = [zp.name];
    n.shapeIn = [padded];
    g.nodes.splice(g.nodes.indexOf(n), 0, zp);
    g.changes.push(`${zp.name} (ZeroPadding) inserted before ${n.name} ('same' padding in io_stream)`);
  }
}

/** In-place reshapes keep the input type (io_parallel always; io_stream for a flatten that is not an output). */
function inplaceReshapes(g: HlsGraph): void {
  for (const n of g.nodes) {
    if (n.cls !== 'Reshape') continue;
    const inType = nodeByName(g, n.inputs[0]!)!.types.result!;
    const inplace = g.ioType === 'io_parallel' || (n.shapeOut.length === 1 && !g.outputs.includes(n.name));
    if (inplace) n.types.result = inType;
  }
}

const FIRMWARE_CLASS: Record<string, (n: HlsNode) => FirmwareLayerClass> = {
  Dense: () => 'Dense',
  Conv1D: () => 'Conv1D',
  Conv2D: () => 'Conv2D',
  Pooling1D: (n) => (n.attrs.pool_op === 'Max' ? 'MaxPooling1D' : 'AveragePooling1D'),
  Pooling2D: (n) => (n.attrs.pool_op === 'Max' ? 'MaxPooling2D' : 'AveragePooling2D'),
  GlobalPooling1D: (n) => (n.attrs.pool_op === 'Max' ? 'GlobalMaxPooling1D' : 'GlobalAveragePooling1D'),
  GlobalPooling2D: (n) => (n.attrs.pool_op === 'Max' ? 'GlobalMaxPooling2D' : 'GlobalAveragePooling2D'),
  BatchNormalization: () => 'BatchNormalization',
  Activation: () => 'Activation',
  LeakyReLU: () => 'Activation',
  Softmax: () => 'Softmax',
  Reshape: () => 'Reshape',
  ZeroPadding1D: () => 'ZeroPadding1D',
  ZeroPadding2D: () => 'ZeroPadding2D',
  Merge: () => 'Add',
  Concatenate: () => 'Concatenate',
};

function countZeros(a: Float64Array): number {
  let z = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === 0) z++;
  return z;
}

function lowerNode(g: HlsGraph, n: HlsNode, io: string): FirmwareLayer {
  const inNode = nodeByName(g, n.inputs[0]!)!;
  const types: LayerTypes = { input: typed(inNode, 'result'), result: typed(n, 'result') };
  const layer: FirmwareLayer = {
    name: n.name,
    cls: FIRMWARE_CLASS[n.cls]!(n),
    inputs: [...n.inputs],
    shapeIn: [...n.shapeIn[0]!],
    shapeOut: [...n.shapeOut],
    config: { io_type: io },
    types,
  };
  const rfRequested = Number(n.settings.ReuseFactor ?? 1);
  let rfEffective = rfRequested;
  const convImpl = String(n.settings.ConvImplementation ?? 'LineBuffer').toLowerCase() === 'encoded' ? 'Encoded' : 'LineBuffer';
  switch (n.cls) {
    case 'Dense':
    case 'Conv1D':
    case 'Conv2D': {
      types.weight = typed(n, 'weight');
      types.bias = typed(n, 'bias');
      types.accum = typed(n, 'accum');
      const w = weightsToRaw(n.weights.weight!.data, types.weight, `${n.name}.weights`);
      const b = weightsToRaw(n.weights.bias!.data, types.bias, `${n.name}.bias`);
      layer.weights = w.raw;
      layer.bias = b.raw;
      layer.text = { weights: w.text, bias: b.text };
      const strategy = strategyOf(n);
      const c = layer.config;
      if (n.cls === 'Dense') {
        const nIn = n.shapeIn[0]![0]!;
        const nOut = n.shapeOut[0]!;
        const rf = strategy === 'resource' ? validReuseFactor(nIn, nOut, rfRequested) : rfRequested;
        if (rf !== rfRequested) g.changes.push(`${n.name}: ReuseFactor ${rfRequested} is not valid for ${nIn}x${nOut}; using ${rf}`);
        Object.assign(c, { n_in: nIn, n_out: nOut, strategy, reuse_factor: rf, reuse_factor_requested: rfRequested, n_zeros: countZeros(w.raw), product: 'mult' });
        if (strategy === 'resource') {
          c.kernel = rf <= nIn ? 'nnet::DenseResource_rf_leq_nin' : rf % nIn === 0 ? 'nnet::DenseResource_rf_gt_nin_rem0' : 'nnet::DenseResource_rf_gt_nin';
        } else c.kernel = 'nnet::DenseLatency';
      } else {
        const ks = n.attrs.kernelSize as number[];
        const st = n.attrs.strides as number[];
        const same = n.attrs.padding === 'same';
        // hls4ml validates a conv's reuse factor like a dense one of n_chan·filt_h·filt_w → n_filt.
        const convIn = ks.reduce((a, k) => a * k, 1) * Number(n.shapeIn[0]![n.shapeIn[0]!.length - 1]);
        const nFilt = Number(n.shapeOut[n.shapeOut.length - 1]);
        if (strategy === 'resource') {
          const rf = validReuseFactor(convIn, nFilt, rfRequested);
          if (rf !== rfRequested) g.changes.push(`${n.name}: ReuseFactor ${rfRequested} is not valid for ${convIn}x${nFilt}; using ${rf}`);
          rfEffective = rf;
        }
        if (n.cls === 'Conv1D') {
          const [inW, nChan] = n.shapeIn[0]! as [number, number];
          const [pl, pr] = same ? samePads(inW, ks[0]!, st[0]!) : [0, 0];
          Object.assign(c, {
            in_width: inW, n_chan: nChan, filt_width: ks[0], n_filt: n.shapeOut[1], stride_width: st[0], dilation: 1, out_width: n.shapeOut[0],
            strategy, reuse_factor: rfEffective, reuse_factor_requested: rfRequested, n_zeros: countZeros(w.raw),
            keras_padding: n.attrs.samePadded ? 'same' : same ? 'same' : 'valid', pad_left: pl, pad_right: pr,
          });
          if (io === 'io_stream') {
            c.implementation = convImpl;
            c.conv_in_width = inW;
            if (convImpl === 'Encoded') Object.assign(c, computeConv1dInstructions(inW, nChan, ks[0]!, st[0]!));
          } else Object.assign(c, { n_partitions: n.shapeOut[0], n_pixels: 1 });
        } else {
          const [inH, inW, nChan] = n.shapeIn[0]! as [number, number, number];
          const [pt, pb] = same ? samePads(inH, ks[0]!, st[0]!) : [0, 0];
          const [pl, pr] = same ? samePads(inW, ks[1]!, st[1]!) : [0, 0];
          Object.assign(c, {
            in_height: inH, in_width: inW, n_chan: nChan, filt_height: ks[0], filt_width: ks[1], n_filt: n.shapeOut[2],
            stride_height: st[0], stride_width: st[1], out_height: n.shapeOut[0], out_width: n.shapeOut[1],
            strategy, reuse_factor: rfEffective, reuse_factor_requested: rfRequested, n_zeros: countZeros(w.raw),
            keras_padding: n.attrs.samePadded ? 'same' : same ? 'same' : 'valid', pad_top: pt, pad_bottom: pb, pad_left: pl, pad_right: pr,
          });
          if (io === 'io_stream') {
            c.implementation = convImpl;
            c.conv_in_height = inH;
            c.conv_in_width = inW;
            if (convImpl === 'Encoded') Object.assign(c, computeConv2dInstructions(inH, inW, nChan, [ks[0]!, ks[1]!], [st[0]!, st[1]!]));
          } else Object.assign(c, { n_partitions: n.shapeOut[0]! * n.shapeOut[1]!, n_pixels: 1 });
        }
      }
      break;
    }
    case 'Pooling1D':
    case 'Pooling2D': {
      types.accum = typed(n, 'accum');
      const ps = n.attrs.poolSize as number[];
      const st = (n.attrs.strides as number[] | undefined) ?? ps;
      const same = n.attrs.padding === 'same';
      const c = layer.config;
      if (n.cls === 'Pooling1D') {
        const [inW, nFilt] = n.shapeIn[0]! as [number, number];
        const [pl, pr] = same ? samePads(inW, ps[0]!, st[0]!) : [0, 0];
        Object.assign(c, { n_in: inW, n_filt: nFilt, pool_op: n.attrs.pool_op, n_out: n.shapeOut[0], reuse_factor: rfRequested, pool_width: ps[0], stride_width: st[0], pad_left: pl, pad_right: pr, count_pad: false });
        if (io === 'io_stream') {
          if (pl || pr) throw new UnsupportedError(`${n.name}.padding`, "'same' pooling with non-zero padding is not supported in io_stream");
          c.implementation = convImpl;
          if (convImpl === 'Encoded') c.pool_table_width = poolTable(inW, ps[0]!);
        }
      } else {
        const [inH, inW, nFilt] = n.shapeIn[0]! as [number, number, number];
        const [pt, pb] = same ? samePads(inH, ps[0]!, st[0]!) : [0, 0];
        const [pl, pr] = same ? samePads(inW, ps[1]!, st[1]!) : [0, 0];
        Object.assign(c, {
          in_height: inH, in_width: inW, n_filt: nFilt, pool_op: n.attrs.pool_op, out_height: n.shapeOut[0], out_width: n.shapeOut[1], reuse_factor: rfRequested,
          pool_height: ps[0], pool_width: ps[1], stride_height: st[0], stride_width: st[1], pad_top: pt, pad_bottom: pb, pad_left: pl, pad_right: pr, count_pad: false,
        });
        if (io === 'io_stream') {
          if (pt || pb || pl || pr) throw new UnsupportedError(`${n.name}.padding`, "'same' pooling with non-zero padding is not supported in io_stream");
          c.implementation = convImpl;
          if (convImpl === 'Encoded') {
            c.pool_table_height = poolTable(inH, ps[0]!);
            c.pool_table_width = poolTable(inW, ps[1]!);
          }
        }
      }
      break;
    }
    case 'GlobalPooling1D':
    case 'GlobalPooling2D': {
      types.accum = typed(n, 'accum');
      const s = n.shapeIn[0]!;
      if (n.cls === 'GlobalPooling1D') Object.assign(layer.config, { n_in: s[0], n_filt: s[1], pool_op: n.attrs.pool_op, n_out: 1, reuse_factor: rfRequested });
      else Object.assign(layer.config, { in_height: s[0], in_width: s[1], n_filt: s[2], pool_op: n.attrs.pool_op, out_height: 1, out_width: 1, reuse_factor: rfRequested });
      break;
    }
    case 'BatchNormalization': {
      types.scale = typed(n, 'scale');
      types.bias = typed(n, 'bias');
      const s = weightsToRaw(n.weights.scale!.data, types.scale, `${n.name}.scale`);
      const b = weightsToRaw(n.weights.bias!.data, types.bias, `${n.name}.bias`);
      layer.scale = s.raw;
      layer.bias = b.raw;
      layer.text = { scale: s.text, bias: b.text };
      const shape = n.shapeIn[0]!;
      Object.assign(layer.config, { n_in: shapeSize(shape), n_filt: shape.length > 1 ? shape[shape.length - 1] : -1, n_scale_bias: shape[shape.length - 1], reuse_factor: rfRequested, product: 'mult' });
      break;
    }
    case 'Activation':
    case 'LeakyReLU': {
      const act = String(n.attrs.activation);
      layer.activation = act;
      Object.assign(layer.config, { activation: act, n_in: shapeSize(n.shapeIn[0]!), table_size: Number(n.settings.table_size ?? 1024), reuse_factor: rfRequested });
      if (n.types.table !== undefined) types.table = typed(n, 'table');
      if (n.cls === 'LeakyReLU') {
        types.param = typed(n, 'param');
        layer.config.alpha_literal = n.attrs.alpha;
      }
      break;
    }
    case 'Softmax': {
      for (const k of ['accum', 'exp_table', 'inv_table', 'inv_inp', 'table']) if (n.types[k] !== undefined) types[k] = typed(n, k);
      let tableSize = Number(n.settings.table_size ?? 1024);
      const inBits = types.input!.W;
      const invBits = types.inv_table!.W;
      const limit = 2 ** Math.min(inBits, invBits);
      if (limit < tableSize) {
        g.changes.push(`${n.name}: table_size ${tableSize} reduced to ${limit} (input/inv_table width)`);
        tableSize = limit;
      }
      const n_in = shapeSize(n.shapeIn[0]!);
      const implementation = String(n.settings.Implementation ?? 'stable').toLowerCase();
      // hls4ml's softmax config template: the stable softmax indexes its exp table with the
      // unsigned max-difference (W−1 bits for a signed input), so it caps exp_table_size.
      const expTableSize = implementation === 'stable' && types.input!.signed ? Math.min(tableSize, 2 ** (types.input!.W - 1)) : tableSize;
      Object.assign(layer.config, {
        n_in, n_slice: n_in, implementation,
        exp_table_size: expTableSize, inv_table_size: tableSize, table_size: tableSize, exp_scale: 1.0, axis: -1, reuse_factor: rfRequested,
      });
      break;
    }
    case 'Reshape':
      layer.config.target_shape = [...n.shapeOut];
      break;
    case 'ZeroPadding1D': {
      const [l, r] = n.attrs.padding as [number, number];
      const s = n.shapeIn[0]!;
      Object.assign(layer.config, { in_width: s[0], n_chan: s[1], out_width: n.shapeOut[0], pad_left: l, pad_right: r });
      break;
    }
    case 'ZeroPadding2D': {
      const [[t, b], [l, r]] = n.attrs.padding as [[number, number], [number, number]];
      const s = n.shapeIn[0]!;
      Object.assign(layer.config, { in_height: s[0], in_width: s[1], n_chan: s[2], out_height: n.shapeOut[0], out_width: n.shapeOut[1], pad_top: t, pad_bottom: b, pad_left: l, pad_right: r });
      break;
    }
    case 'Merge':
    case 'Concatenate': {
      const in2 = nodeByName(g, n.inputs[1]!)!;
      types.input1 = types.input;
      types.input2 = typed(in2, 'result');
      const s1 = n.shapeIn[0]!;
      const s2 = n.shapeIn[1]!;
      if (n.cls === 'Merge') Object.assign(layer.config, { n_elem: shapeSize(n.shapeOut), n_elem1: shapeSize(s1), n_elem2: shapeSize(s2), reuse_factor: rfRequested });
      else {
        const axis = Number(n.attrs.axis ?? -1);
        if (axis !== -1 && axis !== s1.length) throw new UnsupportedError(`${n.name}.axis`, `Concatenate is supported on the last axis only (got axis ${axis})`);
        const pad3 = (s: number[]) => [s[0] ?? 0, s[1] ?? 0, s[2] ?? 0];
        const [a0, a1, a2] = pad3(s1);
        const [b0, b1, b2] = pad3(s2);
        Object.assign(layer.config, { n_elem1_0: a0, n_elem1_1: a1, n_elem1_2: a2, n_elem2_0: b0, n_elem2_1: b1, n_elem2_2: b2, axis: -1, shape1: [...s1], shape2: [...s2] });
      }
      break;
    }
    default:
      throw new UnsupportedError(n.name, `cannot lower layer class ${n.cls}`);
  }
  return layer;
}

/**
 * Apply hls4ml's backend passes and lower the typed working graph to a FirmwareGraph.
 *
 * @example const fw = lowerToFirmware(g);
 */
export function lowerToFirmware(g: HlsGraph): FirmwareGraph {
  insertStreamPadding(g);
  inplaceReshapes(g);
  const inputs = g.nodes.filter((n) => n.cls === 'Input');
  if (inputs.length !== 1) throw new UnsupportedError('inputs', `exactly one model input is supported, found ${inputs.length}`);
  if (g.outputs.length !== 1) throw new UnsupportedError('outputs', `exactly one model output is supported, found ${g.outputs.length}`);
  const input = inputs[0]!;
  const layers: FirmwareLayer[] = [];
  for (const n of g.nodes) {
    if (n.cls === 'Input') continue;
    layers.push(lowerNode(g, n, g.ioType));
  }
  return {
    name: g.name,
    ioType: g.ioType,
    input: { name: input.name, shape: [...input.shapeOut], type: typed(input, 'result') },
    layers,
    output: g.outputs[0]!,
    changes: g.changes,
  };
}
