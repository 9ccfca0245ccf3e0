/**
 * Per-layer C++ generation: for every FirmwareLayer the typedefs, config structs, weight / table
 * arrays and the kernel call of the top function. Geometry and instruction tables are validated
 * with (and, for Encoded convolutions, taken from) the emulator's own kernel preparation, so the
 * emitted project and the emulator use the same arrays.
 */
import { ConfigError, ShapeError, UnsupportedError } from '../errors.js';
import { formatFixedType, parseFixedType, sameType, type FixedType } from '../fixed/index.js';
import { shapeSize, type FirmwareLayer, type IOType } from '../graph/firmware.js';
import { denseAccumulationOrder, transposeDenseWeights } from '../kernels/dense.js';
import { prepareConv1d, prepareConv2d, type Conv1DConfig, type Conv2DConfig } from '../kernels/conv.js';
import { poolTable, scaleIndex } from '../kernels/conv-instructions.js';
import { preparePooling1d, preparePooling2d } from '../kernels/pooling.js';
import { leakyReluAlphaRaw } from '../kernels/activations.js';
import { concatDim } from '../kernels/merge.js';
import { sigmoidTable, softmaxInpNormType, softmaxTables, tanhTable } from '../kernels/tables.js';
import type { RawArray } from './literals.js';

/** One tensor of the network as the C++ sees it. */
export interface TensorInfo {
  /** Graph name (layer name, or the graph input's name). */
  name: string;
  /** C++ variable (array or stream) holding it. */
  varName: string;
  /** typedef of one element. */
  elemType: string;
  /** typedef of one stream word (io_stream). */
  wordType: string;
  type: FixedType;
  shape: number[];
  size: number;
  /** Elements per stream word: the last axis (rank ≥ 2) or the whole tensor (rank 1). */
  wordSize: number;
  words: number;
}

/** A weight / bias / scale / table array written to `firmware/weights/<name>.h`. */
export interface WeightArray {
  name: string;
  elemType: string;
  type: FixedType;
  values: RawArray;
  /** Scalar constant instead of an array (LeakyReLU alpha). */
  scalar?: boolean;
  description: string;
}

/** Everything the project writer needs for one layer. */
export interface LayerCode {
  layer: FirmwareLayer;
  cname: string;
  /** Kernel-internal typedefs (accum, weight, table …), written to defines.h. */
  typedefs: Array<[string, FixedType]>;
  /** Config structs (and out-of-class definitions), written to parameters.h. */
  structs: string[];
  arrays: WeightArray[];
  /** Statements of the top function. */
  call(ins: TensorInfo[], inVars: string[], out: TensorInfo, outVar: string): string[];
  /** One-line description (comments, README). */
  summary: string;
}

/** Context of the layer emitters. */
export interface LayerContext {
  io: IOType;
  warnings: string[];
}

/** Elements per stream word for a tensor shape. @example wordSizeOf([4, 4, 8]) // 8 */
export function wordSizeOf(shape: readonly number[]): number {
  return shape.length >= 2 ? shape[shape.length - 1]! : shapeSize(shape);
}

const DEFAULT_TABLE_T = parseFixedType('ap_fixed<18,8>');

class Struct {
  private readonly lines: string[] = [];
  private readonly after: string[] = [];
  constructor(
    readonly name: string,
    private readonly comment: string,
  ) {}
  u(k: string, v: number | string): this {
    this.lines.push(`static const unsigned ${k} = ${v};`);
    return this;
  }
  i(k: string, v: number): this {
    this.lines.push(`static const int ${k} = ${v};`);
    return this;
  }
  b(k: string, v: boolean): this {
    this.lines.push(`static const bool ${k} = ${v ? 'true' : 'false'};`);
    return this;
  }
  t(alias: string, target: string): this {
    this.lines.push(`typedef ${target} ${alias};`);
    return this;
  }
  /** A constant array member, defined after the struct. */
  arr(decl: string, name: string, n: number, values: readonly number[]): this {
    this.lines.push(`static const ${decl} ${name}[${n}];`);
    const body: string[] = [];
    for (let k = 0; k < values.length; k += 16) body.push(`    ${values.slice(k, k + 16).join(', ')}`);
    this.after.push(`const ${decl} ${this.name}::${name}[${n}] = {\n${body.join(',\n')}};`);
    return this;
  }
  text(): string {
    const head = `// ${this.comment.replace(/[\r\n]+/g, ' ')}\nstruct ${this.name} {\n${this.lines.map((l) => `    ${l}`).join('\n')}\n};`;
    return this.after.length ? `${head}\n${this.after.join('\n')}` : head;
  }
}

function cfgInt(L: FirmwareLayer, key: string, dflt?: number, min = 0): number {
  const v = L.config[key];
  if (v === undefined || v === null) {
    if (dflt === undefined) throw new ConfigError(`${L.name}.config.${key}`, 'missing');
    return dflt;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${L.name}.config.${key}`, `must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function need(L: FirmwareLayer, key: string): FixedType {
  const t = L.types[key];
  if (!t) throw new ConfigError(`${L.name}.types.${key}`, 'missing type');
  return t;
}

function arr(L: FirmwareLayer, key: 'weights' | 'bias' | 'scale', n: number): Float64Array {
  const a = L[key];
  if (!a) throw new ShapeError(`${L.name}.${key}`, `missing (expected ${n} raw values)`);
  if (a.length !== n) throw new ShapeError(`${L.name}.${key}`, `expected ${n} values, got ${a.length}`);
  return a;
}

function countZeros(a: ArrayLike<number>): number {
  let z = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === 0) z++;
  return z;
}

function strategyOf(L: FirmwareLayer): 'latency' | 'resource' {
  const s = String(L.config.strategy ?? 'latency').toLowerCase();
  if (s === 'latency') return 'latency';
  if (s === 'resource') return 'resource';
  throw new UnsupportedError(`${L.name}.config.strategy`, `strategy '${String(L.config.strategy)}' is not supported (latency, resource)`);
}

function implOf(L: FirmwareLayer): 'linebuffer' | 'encoded' {
  const s = String(L.config.implementation ?? 'LineBuffer').toLowerCase();
  if (s === 'linebuffer' || s === 'encoded') return s;
  throw new UnsupportedError(`${L.name}.config.implementation`, `unknown implementation '${String(L.config.implementation)}' (LineBuffer, Encoded)`);
}

function checkProduct(L: FirmwareLayer): void {
  const p = L.config.product;
  if (p !== undefined && p !== 'mult') {
    throw new UnsupportedError(`${L.name}.config.product`, `product '${String(p)}' is not supported by the emitter (mult)`);
  }
}

function checkShape(L: FirmwareLayer, what: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((d, k) => d !== want[k])) {
    throw new ShapeError(`${L.name}.${what}`, `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
}

/** The Resource-strategy order the C++ loop uses must be the emulator's (hls4ml's) order. */
function checkResourceOrder(L: FirmwareLayer, nIn: number, nOut: number, rf: number): void {
  const order = denseAccumulationOrder({ name: L.name, n_in: nIn, n_out: nOut, strategy: 'resource', reuse_factor: rf });
  const N = nIn * nOut;
  const per = Math.ceil(N / rf);
  let p = 0;
  for (let ir = 0; ir < rf; ir++) {
    for (let im = 0; im < per; im++) {
      const k = ir + im * rf;
      if (k >= N) continue;
      if (order[p] !== k % nIn || order[p + 1] !== k || order[p + 2] !== Math.floor(k / nIn)) {
        throw new UnsupportedError(`${L.name}.config.reuse_factor`, `reuse_factor ${rf} with n_in=${nIn}, n_out=${nOut} accumulates in an order the emitted Resource kernel does not reproduce; use a valid reuse factor`);
      }
      p += 3;
    }
  }
}

function denseStruct(name: string, comment: string, c: string, nIn: number, nOut: number, strategy: string, rf: number, zeros: number): Struct {
  return new Struct(name, comment)
    .u('n_in', nIn)
    .u('n_out', nOut)
    .u('strategy', strategy === 'resource' ? 'hlsemu::strategy_resource' : 'hlsemu::strategy_latency')
    .u('reuse_factor', rf)
    .u('n_zeros', zeros)
    .t('accum_t', `${c}_accum_t`)
    .t('weight_t', `${c}_weight_t`)
    .t('bias_t', `${c}_bias_t`);
}

/** In parallel mode kernels take element types, in stream mode word types. */
function tArg(io: IOType, t: TensorInfo): string {
  return io === 'io_stream' ? t.wordType : t.elemType;
}

function warnInputType(ctx: LayerContext, L: FirmwareLayer, key: string, t: TensorInfo): void {
  const declared = L.types[key];
  if (declared && !sameType(declared, t.type)) {
    ctx.warnings.push(`${L.name}: types.${key} is ${formatFixedType(declared)} but its producer '${t.name}' outputs ${formatFixedType(t.type)}; the C++ uses the producer's type`);
  }
}

// ---------------------------------------------------------------------------------------------
// Dense
// ---------------------------------------------------------------------------------------------
function emitDense(ctx: LayerContext, L: FirmwareLayer, c: string, inT: TensorInfo): LayerCode {
  checkProduct(L);
  if (L.shapeIn.length !== 1) throw new UnsupportedError(`${L.name}.shapeIn`, `Dense on a rank-${L.shapeIn.length} input is not supported (flatten first)`);
  const nIn = cfgInt(L, 'n_in', inT.size, 1);
  const nOut = cfgInt(L, 'n_out', shapeSize(L.shapeOut), 1);
  if (nIn !== inT.size) throw new ShapeError(`${L.name}.config.n_in`, `is ${nIn} but the input has ${inT.size} elements`);
  if (nOut !== shapeSize(L.shapeOut)) throw new ShapeError(`${L.name}.config.n_out`, `is ${nOut} but shapeOut has ${shapeSize(L.shapeOut)} elements`);
  const strategy = strategyOf(L);
  const rf = cfgInt(L, 'reuse_factor', 1, 1);
  const tw = need(L, 'weight');
  const tb = need(L, 'bias');
  const ta = need(L, 'accum');
  warnInputType(ctx, L, 'input', inT);
  const wk = arr(L, 'weights', nIn * nOut);
  const b = arr(L, 'bias', nOut);
  let w: RawArray = wk;
  if (strategy === 'resource') {
    checkResourceOrder(L, nIn, nOut, rf);
    w = transposeDenseWeights(wk, nIn, nOut);
  }
  const s = denseStruct(`config_${c}`, `${L.name}: Dense ${nIn} -> ${nOut}, ${strategy}, reuse factor ${rf}`, c, nIn, nOut, strategy, rf, countZeros(wk));
  return {
    layer: L,
    cname: c,
    typedefs: [
      [`${c}_weight_t`, tw],
      [`${c}_bias_t`, tb],
      [`${c}_accum_t`, ta],
    ],
    structs: [s.text()],
    arrays: [
      { name: `${c}_w`, elemType: `${c}_weight_t`, type: tw, values: w, description: strategy === 'resource' ? `${L.name} weights, w[j * ${nIn} + i] (transposed for the Resource strategy)` : `${L.name} weights, w[i * ${nOut} + j]` },
      { name: `${c}_b`, elemType: `${c}_bias_t`, type: tb, values: b, description: `${L.name} biases` },
    ],
    call: (ins, iv, out, ov) => [`hlsemu::dense<${tArg(ctx.io, ins[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${c}_w, ${c}_b);`],
    summary: `Dense ${nIn} -> ${nOut} (${strategy}, RF ${rf})`,
  };
}

// ---------------------------------------------------------------------------------------------
// Conv1D / Conv2D
// ---------------------------------------------------------------------------------------------
interface ConvGeom {
  H: number;
  W: number;
  C: number;
  F: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  pt: number;
  pb: number;
  pl: number;
  pr: number;
  dh: number;
  dw: number;
  oh: number;
  ow: number;
}

function convGeom(L: FirmwareLayer, inT: TensorInfo): ConvGeom {
  const oneD = L.cls === 'Conv1D';
  const sIn = L.shapeIn;
  if (sIn.length !== (oneD ? 2 : 3)) throw new ShapeError(`${L.name}.shapeIn`, `${L.cls} needs a rank-${oneD ? 2 : 3} input, got ${JSON.stringify(sIn)}`);
  const g: ConvGeom = oneD
    ? {
        H: 1,
        W: cfgInt(L, 'in_width', sIn[0], 1),
        C: cfgInt(L, 'n_chan', sIn[1], 1),
        F: cfgInt(L, 'n_filt', L.shapeOut[1], 1),
        fh: 1,
        fw: cfgInt(L, 'filt_width', undefined, 1),
        sh: 1,
        sw: cfgInt(L, 'stride_width', 1, 1),
        pt: 0,
        pb: 0,
        pl: cfgInt(L, 'pad_left', 0),
        pr: cfgInt(L, 'pad_right', 0),
        dh: 1,
        dw: cfgInt(L, 'dilation', 1, 1),
        oh: 1,
        ow: 0,
      }
    : {
        H: cfgInt(L, 'in_height', sIn[0], 1),
        W: cfgInt(L, 'in_width', sIn[1], 1),
        C: cfgInt(L, 'n_chan', sIn[2], 1),
        F: cfgInt(L, 'n_filt', L.shapeOut[2], 1),
        fh: cfgInt(L, 'filt_height', undefined, 1),
        fw: cfgInt(L, 'filt_width', undefined, 1),
        sh: cfgInt(L, 'stride_height', 1, 1),
        sw: cfgInt(L, 'stride_width', 1, 1),
        pt: cfgInt(L, 'pad_top', 0),
        pb: cfgInt(L, 'pad_bottom', 0),
        pl: cfgInt(L, 'pad_left', 0),
        pr: cfgInt(L, 'pad_right', 0),
        dh: cfgInt(L, 'dilation_height', 1, 1),
        dw: cfgInt(L, 'dilation_width', 1, 1),
        oh: 0,
        ow: 0,
      };
  g.oh = Math.floor((g.H + g.pt + g.pb - (g.dh * (g.fh - 1) + 1)) / g.sh) + 1;
  g.ow = Math.floor((g.W + g.pl + g.pr - (g.dw * (g.fw - 1) + 1)) / g.sw) + 1;
  if (g.oh < 1 || g.ow < 1) throw new ShapeError(`${L.name}.config`, `kernel ${g.fh}x${g.fw} does not fit the padded ${g.H}x${g.W} input`);
  const expectIn = oneD ? [g.W, g.C] : [g.H, g.W, g.C];
  checkShape(L, 'shapeIn', inT.shape, expectIn);
  checkShape(L, 'shapeOut', L.shapeOut, oneD ? [g.ow, g.F] : [g.oh, g.ow, g.F]);
  return g;
}

/** Largest FIFO occupancy of an Encoded instruction stream (masks per pixel, completion bit = last). */
function fifoDepth(masks: Iterable<number>, positions: number, completes: (mask: number) => boolean, bitsOf: (mask: number) => number[]): number {
  const fill = new Array<number>(positions).fill(0);
  let max = 1;
  for (const m of masks) {
    for (const k of bitsOf(m)) {
      fill[k]!++;
      if (fill[k]! > max) max = fill[k]!;
    }
    if (completes(m)) for (let k = 0; k < positions; k++) if (fill[k]! > 0) fill[k]!--;
  }
  return max;
}

function maskBits(m: number, n: number): number[] {
  const out: number[] = [];
  let v = m;
  for (let k = 0; k < n && v > 0; k++) {
    if (v % 2 === 1) out.push(k);
    v = Math.floor(v / 2);
  }
  return out;
}

function emitConv(ctx: LayerContext, L: FirmwareLayer, c: string, inT: TensorInfo): LayerCode {
  checkProduct(L);
  const oneD = L.cls === 'Conv1D';
  const g = convGeom(L, inT);
  const strategy = strategyOf(L);
  const rf = cfgInt(L, 'reuse_factor', 1, 1);
  const tw = need(L, 'weight');
  const tb = need(L, 'bias');
  const ta = need(L, 'accum');
  const tr = L.types.result;
  warnInputType(ctx, L, 'input', inT);
  const nIn = g.fh * g.fw * g.C;
  const wk = arr(L, 'weights', nIn * g.F);
  const b = arr(L, 'bias', g.F);
  let w: RawArray = wk;
  if (strategy === 'resource') {
    checkResourceOrder(L, nIn, g.F, rf);
    w = transposeDenseWeights(wk, nIn, g.F);
  }
  const stream = ctx.io === 'io_stream';
  const impl = stream ? implOf(L) : 'linebuffer';
  if (stream && (g.dh !== 1 || g.dw !== 1)) throw new UnsupportedError(`${L.name}.config.dilation`, 'io_stream convolutions do not support dilation');

  // Validate with the emulator's own preparation (same geometry checks, window order, instruction table).
  const types = { input: inT.type, weight: tw, bias: tb, accum: ta, result: tr };
  const common = { name: L.name, n_chan: g.C, n_filt: g.F, io_type: ctx.io, implementation: impl === 'encoded' ? 'Encoded' : 'LineBuffer', strategy, reuse_factor: rf, types };
  const kernel = oneD
    ? prepareConv1d(
        {
          ...common,
          in_width: g.W,
          filt_width: g.fw,
          stride_width: g.sw,
          pad_left: g.pl,
          pad_right: g.pr,
          dilation: g.dw,
          ...(L.config.pixels !== undefined ? { min_width: cfgInt(L, 'min_width', undefined, 1), pixels: L.config.pixels as number[] } : {}),
        } as Conv1DConfig,
        w,
        b,
      )
    : prepareConv2d(
        {
          ...common,
          in_height: g.H,
          in_width: g.W,
          filt_height: g.fh,
          filt_width: g.fw,
          stride_height: g.sh,
          stride_width: g.sw,
          pad_top: g.pt,
          pad_bottom: g.pb,
          pad_left: g.pl,
          pad_right: g.pr,
          dilation_height: g.dh,
          dilation_width: g.dw,
          ...(L.config.pixels !== undefined
            ? { min_height: cfgInt(L, 'min_height', undefined, 1), min_width: cfgInt(L, 'min_width', undefined, 1), pixels: L.config.pixels as number[] }
            : {}),
        } as Conv2DConfig,
        w,
        b,
      );
  if (stream && kernel.windows.nOut !== g.oh * g.ow) {
    throw new UnsupportedError(`${L.name}.config.implementation`, `the ${impl} stream kernel produces ${kernel.windows.nOut} output pixels instead of ${g.oh * g.ow} for this geometry`);
  }

  const mult = denseStruct(`config_${c}_mult`, `${L.name}: dense core of the convolution (${nIn} window values -> ${g.F} filters)`, c, nIn, g.F, strategy, rf, countZeros(wk));
  const typedefs: Array<[string, FixedType]> = [
    [`${c}_weight_t`, tw],
    [`${c}_bias_t`, tb],
    [`${c}_accum_t`, ta],
  ];
  const arrays: WeightArray[] = [
    {
      name: `${c}_w`,
      elemType: `${c}_weight_t`,
      type: tw,
      values: w,
      description: strategy === 'resource' ? `${L.name} weights, w[f * ${nIn} + k], k = (kh * ${g.fw} + kw) * ${g.C} + c` : `${L.name} weights (Keras order), w[k * ${g.F} + f], k = (kh * ${g.fw} + kw) * ${g.C} + c`,
    },
    { name: `${c}_b`, elemType: `${c}_bias_t`, type: tb, values: b, description: `${L.name} biases` },
  ];
  const geomText = `${oneD ? `${g.W}x${g.C}` : `${g.H}x${g.W}x${g.C}`} -> ${oneD ? `${g.ow}x${g.F}` : `${g.oh}x${g.ow}x${g.F}`}, kernel ${oneD ? g.fw : `${g.fh}x${g.fw}`}, stride ${oneD ? g.sw : `${g.sh}x${g.sw}`}`;

  if (!stream) {
    const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} io_parallel ${geomText}`)
      .u('in_height', g.H)
      .u('in_width', g.W)
      .u('n_chan', g.C)
      .u('n_filt', g.F)
      .u('filt_height', g.fh)
      .u('filt_width', g.fw)
      .u('stride_height', g.sh)
      .u('stride_width', g.sw)
      .u('pad_top', g.pt)
      .u('pad_bottom', g.pb)
      .u('pad_left', g.pl)
      .u('pad_right', g.pr)
      .u('dilation_height', g.dh)
      .u('dilation_width', g.dw)
      .u('out_height', g.oh)
      .u('out_width', g.ow)
      .u('reuse_factor', rf)
      .t('mult_config', `config_${c}_mult`)
      .t('accum_t', `${c}_accum_t`)
      .t('weight_t', `${c}_weight_t`)
      .t('bias_t', `${c}_bias_t`);
    return {
      layer: L,
      cname: c,
      typedefs,
      structs: [mult.text(), s.text()],
      arrays,
      call: (ins, iv, out, ov) => [`hlsemu::conv<${ins[0]!.elemType}, ${out.elemType}, config_${c}>(${iv[0]}, ${ov}, ${c}_w, ${c}_b);`],
      summary: `${L.cls} ${geomText} (io_parallel, ${strategy}, RF ${rf})`,
    };
  }

  // io_stream: pad first when the config has pads (hls4ml inserts a ZeroPadding layer), then a 'valid' convolution.
  const PH = g.H + g.pt + g.pb;
  const PW = g.W + g.pl + g.pr;
  const padded = g.pt + g.pb + g.pl + g.pr > 0;
  const structs: string[] = [mult.text()];
  if (padded) {
    structs.push(
      new Struct(`config_${c}_pad`, `${L.name}: zero padding in front of the stream convolution ('same')`)
        .u('in_height', g.H)
        .u('in_width', g.W)
        .u('n_chan', g.C)
        .u('out_height', PH)
        .u('out_width', PW)
        .u('pad_top', g.pt)
        .u('pad_bottom', g.pb)
        .u('pad_left', g.pl)
        .u('pad_right', g.pr)
        .text(),
    );
  }
  const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} io_stream ${impl === 'encoded' ? 'Encoded' : 'LineBuffer'} ${geomText}${padded ? ' (on the padded input)' : ''}`)
    .u('in_height', PH)
    .u('in_width', PW)
    .u('n_chan', g.C)
    .u('n_filt', g.F)
    .u('filt_height', g.fh)
    .u('filt_width', g.fw)
    .u('stride_height', g.sh)
    .u('stride_width', g.sw)
    .u('out_height', g.oh)
    .u('out_width', g.ow)
    .u('reuse_factor', rf)
    .t('mult_config', `config_${c}_mult`)
    .t('accum_t', `${c}_accum_t`)
    .t('weight_t', `${c}_weight_t`)
    .t('bias_t', `${c}_bias_t`);
  if (impl === 'encoded') {
    // The emulator's table: config.pixels when the graph has them, else computed like hls4ml.
    const ins = kernel.instructions!;
    const positions = g.fh * g.fw;
    const masks: number[] = [];
    for (let ih = 0; ih < PH; ih++) {
      const r = oneD ? 0 : scaleIndex(ins.kindH, g.fh, g.sh, PH, ih);
      for (let iw = 0; iw < PW; iw++) masks.push(ins.pixels[r * ins.minW + scaleIndex(ins.kindW, g.fw, g.sw, PW, iw)]!);
    }
    const last = 2 ** (positions - 1);
    const depth = fifoDepth(masks, positions, (m) => Math.floor(m / last) % 2 === 1, (m) => maskBits(m, positions));
    s.u('min_height', ins.minH)
      .u('min_width', ins.minW)
      .u('scale_index_height', oneD || ins.kindH === 'scale_index_unscaled' ? 'hlsemu::scale_unscaled' : 'hlsemu::scale_regular')
      .u('scale_index_width', ins.kindW === 'scale_index_unscaled' ? 'hlsemu::scale_unscaled' : 'hlsemu::scale_regular')
      .u('fifo_depth', depth)
      .arr(`ap_uint<${positions}>`, 'pixels', ins.pixels.length, [...ins.pixels]);
  }
  structs.push(s.text());
  const fn = impl === 'encoded' ? 'conv_encoded' : 'conv_linebuffer';
  return {
    layer: L,
    cname: c,
    typedefs,
    structs,
    arrays,
    call: (ins, iv, out, ov) => {
      if (!padded) return [`hlsemu::${fn}<${ins[0]!.wordType}, ${out.wordType}, config_${c}>(${iv[0]}, ${ov}, ${c}_w, ${c}_b);`];
      const pw = `hlsemu::array<${ins[0]!.elemType}, ${g.C}>`;
      return [
        `hls::stream<${pw} > ${c}_padded("${c}_padded");`,
        `#pragma HLS STREAM variable = ${c}_padded depth = ${PH * PW}`,
        `hlsemu::zeropad<${ins[0]!.wordType}, ${pw}, config_${c}_pad>(${iv[0]}, ${c}_padded);`,
        `hlsemu::${fn}<${pw}, ${out.wordType}, config_${c}>(${c}_padded, ${ov}, ${c}_w, ${c}_b);`,
      ];
    },
    summary: `${L.cls} ${geomText} (io_stream ${impl === 'encoded' ? 'Encoded' : 'LineBuffer'}, ${strategy}, RF ${rf})`,
  };
}

// ---------------------------------------------------------------------------------------------
// Pooling
// ---------------------------------------------------------------------------------------------
function poolOp(L: FirmwareLayer): 'Max' | 'Average' {
  if (L.cls.startsWith('Max') || L.cls.startsWith('GlobalMax')) return 'Max';
  return 'Average';
}

function emitPooling(ctx: LayerContext, L: FirmwareLayer, c: string, inT: TensorInfo): LayerCode {
  const oneD = L.cls.endsWith('1D');
  const op = poolOp(L);
  const ta = need(L, 'accum');
  const tr = L.types.result;
  warnInputType(ctx, L, 'input', inT);
  const sIn = inT.shape;
  if (sIn.length !== (oneD ? 2 : 3)) throw new ShapeError(`${L.name}.shapeIn`, `${L.cls} needs a rank-${oneD ? 2 : 3} input, got ${JSON.stringify(sIn)}`);
  const H = oneD ? 1 : cfgInt(L, 'in_height', sIn[0], 1);
  const W = cfgInt(L, oneD ? 'n_in' : 'in_width', oneD ? sIn[0] : sIn[1], 1);
  const C = cfgInt(L, 'n_filt', sIn[sIn.length - 1], 1);
  const ph = oneD ? 1 : cfgInt(L, 'pool_height', undefined, 1);
  const pw = cfgInt(L, 'pool_width', undefined, 1);
  const sh = oneD ? 1 : cfgInt(L, 'stride_height', ph, 1);
  const sw = cfgInt(L, 'stride_width', pw, 1);
  const pt = oneD ? 0 : cfgInt(L, 'pad_top', 0);
  const pb = oneD ? 0 : cfgInt(L, 'pad_bottom', 0);
  const pl = cfgInt(L, 'pad_left', 0);
  const pr = cfgInt(L, 'pad_right', 0);
  const countPad = !!L.config.count_pad;
  const types = { input: inT.type, accum: ta, result: tr };
  const stream = ctx.io === 'io_stream';
  const impl = stream ? implOf(L) : 'linebuffer';
  const kernel = oneD
    ? preparePooling1d({ name: L.name, n_in: W, n_filt: C, pool_op: op, pool_width: pw, stride_width: sw, pad_left: pl, pad_right: pr, count_pad: countPad, io_type: ctx.io, implementation: impl, types })
    : preparePooling2d({ name: L.name, in_height: H, in_width: W, n_filt: C, pool_op: op, pool_height: ph, pool_width: pw, stride_height: sh, stride_width: sw, pad_top: pt, pad_bottom: pb, pad_left: pl, pad_right: pr, count_pad: countPad, io_type: ctx.io, implementation: impl, types });
  const oh = kernel.outHeight;
  const ow = kernel.outWidth;
  checkShape(L, 'shapeOut', L.shapeOut, oneD ? [ow, C] : [oh, ow, C]);
  const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} ${oneD ? `${W}x${C}` : `${H}x${W}x${C}`} -> ${oneD ? `${ow}x${C}` : `${oh}x${ow}x${C}`}, pool ${oneD ? pw : `${ph}x${pw}`}${stream ? ` (io_stream ${impl === 'encoded' ? 'Encoded' : 'LineBuffer'})` : ''}`)
    .u('in_height', H)
    .u('in_width', W)
    .u('n_filt', C)
    .u('pool_height', ph)
    .u('pool_width', pw)
    .u('stride_height', sh)
    .u('stride_width', sw)
    .u('pad_top', pt)
    .u('pad_bottom', pb)
    .u('pad_left', pl)
    .u('pad_right', pr)
    .u('out_height', oh)
    .u('out_width', ow)
    .b('count_pad', countPad)
    .b('one_d', oneD)
    .u('pool_op', op === 'Max' ? 'hlsemu::pool_max' : 'hlsemu::pool_average')
    .u('reuse_factor', cfgInt(L, 'reuse_factor', 1, 1))
    .t('accum_t', `${c}_accum_t`);
  let fn = 'pool';
  if (stream) {
    if (impl === 'encoded') {
      const th = oneD ? [0] : poolTable(H, ph);
      const tw = poolTable(W, pw);
      // The emulator always uses i % pool; a graph carrying other tables cannot be reproduced.
      const checks: Array<[string, number[]]> = oneD ? [['pool_table_width', tw]] : [['pool_table_height', th], ['pool_table_width', tw]];
      for (const [key, want] of checks) {
        const given = L.config[key] as number[] | undefined;
        if (given !== undefined && (given.length !== want.length || given.some((v, k) => v !== want[k]))) {
          throw new ConfigError(`${L.name}.config.${key}`, 'differs from the table the emulator uses (i % pool)');
        }
      }
      const nH = oneD ? 1 : Math.floor((H - ph) / sh) * sh + ph;
      const nW = Math.floor((W - pw) / sw) * sw + pw;
      const positions = ph * pw;
      const ks: number[] = [];
      for (let h = 0; h < H; h++) for (let x = 0; x < W; x++) ks.push(h < nH && x < nW ? th[oneD ? 0 : h]! * pw + tw[x]! + 1 : 0);
      const depth = fifoDepth(ks, positions, (k) => k === positions, (k) => (k > 0 ? [k - 1] : []));
      s.u('fifo_depth', depth).arr('unsigned', 'pool_table_height', th.length, th).arr('unsigned', 'pool_table_width', tw.length, tw);
      fn = 'pool_encoded';
    } else fn = 'pool_linebuffer';
  }
  return {
    layer: L,
    cname: c,
    typedefs: [[`${c}_accum_t`, ta]],
    structs: [s.text()],
    arrays: [],
    call: (ins, iv, out, ov) => [`hlsemu::${fn}<${tArg(ctx.io, ins[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov});`],
    summary: `${L.cls} pool ${oneD ? pw : `${ph}x${pw}`} stride ${oneD ? sw : `${sh}x${sw}`}${stream ? ` (${impl === 'encoded' ? 'Encoded' : 'LineBuffer'})` : ''}`,
  };
}

function emitGlobalPooling(ctx: LayerContext, L: FirmwareLayer, c: string, inT: TensorInfo): LayerCode {
  const oneD = L.cls.endsWith('1D');
  const ta = need(L, 'accum');
  warnInputType(ctx, L, 'input', inT);
  const sIn = inT.shape;
  if (sIn.length !== (oneD ? 2 : 3)) throw new ShapeError(`${L.name}.shapeIn`, `${L.cls} needs a rank-${oneD ? 2 : 3} input, got ${JSON.stringify(sIn)}`);
  const C = sIn[sIn.length - 1]!;
  const P = shapeSize(sIn) / C;
  if (shapeSize(L.shapeOut) !== C) throw new ShapeError(`${L.name}.shapeOut`, `expected ${C} outputs (one per channel), got ${JSON.stringify(L.shapeOut)}`);
  const op = poolOp(L);
  const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} over ${P} pixels x ${C} channels`)
    .u('n_pixels', P)
    .u('n_filt', C)
    .u('pool_op', op === 'Max' ? 'hlsemu::pool_max' : 'hlsemu::pool_average')
    .u('reuse_factor', cfgInt(L, 'reuse_factor', 1, 1))
    .t('accum_t', `${c}_accum_t`);
  return {
    layer: L,
    cname: c,
    typedefs: [[`${c}_accum_t`, ta]],
    structs: [s.text()],
    arrays: [],
    call: (ins, iv, out, ov) => [`hlsemu::global_pool<${tArg(ctx.io, ins[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov});`],
    summary: `${L.cls} (${P} pixels)`,
  };
}

// ---------------------------------------------------------------------------------------------
// BatchNormalization
// ---------------------------------------------------------------------------------------------
function emitBatchNorm(ctx: LayerContext, L: FirmwareLayer, c: string, inT: TensorInfo): LayerCode {
  checkProduct(L);
  const ts = need(L, 'scale');
  const tb = need(L, 'bias');
  warnInputType(ctx, L, 'input', inT);
  const n = inT.size;
  const nFilt = L.config.n_filt === undefined ? (inT.shape.length > 1 ? inT.shape[inT.shape.length - 1]! : -1) : Number(L.config.n_filt);
  if (!Number.isInteger(nFilt) || (nFilt !== -1 && nFilt < 1)) throw new ConfigError(`${L.name}.config.n_filt`, `must be -1 or a positive integer, got ${JSON.stringify(L.config.n_filt)}`);
  const nsb = nFilt === -1 ? n : nFilt;
  const scale = arr(L, 'scale', L.scale?.length ?? nsb);
  const bias = arr(L, 'bias', scale.length);
  if (scale.length < nsb) throw new ShapeError(`${L.name}.scale`, `needs ${nsb} values, got ${scale.length}`);
  if (ctx.io === 'io_stream' && nFilt !== -1 && inT.wordSize % nFilt !== 0) {
    throw new UnsupportedError(`${L.name}.config.n_filt`, `io_stream words of ${inT.wordSize} values are not a multiple of n_filt=${nFilt}`);
  }
  const s = new Struct(`config_${c}`, `${L.name}: BatchNormalization over ${n} values, ${nFilt === -1 ? 'per element' : `per channel (${nFilt})`}`)
    .u('n_in', n)
    .i('n_filt', nFilt)
    .u('n_scale_bias', scale.length)
    .u('reuse_factor', cfgInt(L, 'reuse_factor', 1, 1))
    .t('scale_t', `${c}_scale_t`)
    .t('bias_t', `${c}_bias_t`);
  return {
    layer: L,
    cname: c,
    typedefs: [
      [`${c}_scale_t`, ts],
      [`${c}_bias_t`, tb],
    ],
    structs: [s.text()],
    arrays: [
      { name: `${c}_s`, elemType: `${c}_scale_t`, type: ts, values: scale, description: `${L.name} scale` },
      { name: `${c}_b`, elemType: `${c}_bias_t`, type: tb, values: bias, description: `${L.name} bias` },
    ],
    call: (ins, iv, out, ov) => [`hlsemu::batchnorm<${tArg(ctx.io, ins[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${c}_s, ${c}_b);`],
    summary: `BatchNormalization (${nFilt === -1 ? 'per element' : `${nFilt} channels`})`,
  };
}

// ---------------------------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------------------------
function emitActivation(ctx: LayerContext, L: FirmwareLayer, c: string, inT: TensorInfo): LayerCode {
  const act = String(L.activation ?? L.config.activation ?? '').toLowerCase();
  warnInputType(ctx, L, 'input', inT);
  const n = inT.size;
  checkShape(L, 'shapeOut', L.shapeOut, inT.shape);
  const rf = cfgInt(L, 'reuse_factor', 1, 1);
  const s = new Struct(`config_${c}`, `${L.name}: ${act} over ${n} values`).u('n_in', n).u('reuse_factor', rf);
  const typedefs: Array<[string, FixedType]> = [];
  const arrays: WeightArray[] = [];
  let fn: string;
  let extra = '';
  if (act === 'linear' || act === 'relu') {
    fn = act;
  } else if (act === 'leaky_relu' || act === 'leakyrelu') {
    fn = 'leaky_relu';
    const tp = need(L, 'param');
    const alphaLiteral = L.config.alpha_literal ?? L.config.alpha;
    const alphaRaw = leakyReluAlphaRaw({
      name: L.name,
      alpha: alphaLiteral === undefined ? undefined : Number(alphaLiteral),
      alpha_raw: L.config.alpha_raw === undefined ? undefined : Number(L.config.alpha_raw),
      types: { param: tp },
    } as never);
    typedefs.push([`${c}_param_t`, tp]);
    s.t('param_t', `${c}_param_t`);
    arrays.push({ name: `${c}_alpha`, elemType: `${c}_param_t`, type: tp, values: [alphaRaw] as ArrayLike<number>, scalar: true, description: `${L.name} alpha (param_t)` });
    extra = `, ${c}_alpha`;
  } else if (act === 'sigmoid' || act === 'tanh') {
    fn = act;
    const tt = L.types.table ?? DEFAULT_TABLE_T;
    const size = cfgInt(L, 'table_size', 1024, 2);
    const table = (act === 'sigmoid' ? sigmoidTable : tanhTable)({ name: L.name, table_size: size, types: { table: tt } });
    typedefs.push([`${c}_table_t`, tt]);
    s.u('table_size', size).t('table_t', `${c}_table_t`);
    arrays.push({ name: `${c}_table`, elemType: `${c}_table_t`, type: tt, values: table, description: `${L.name} ${act} table, entry i = ${act}(${act === 'sigmoid' ? 16 : 8}·(i − ${size / 2})/${size}) evaluated in float` });
    extra = `, ${c}_table`;
  } else {
    throw new UnsupportedError(`${L.name}.activation`, `activation '${act}' is not supported by the emitter (linear, relu, leaky_relu, sigmoid, tanh, softmax)`);
  }
  return {
    layer: L,
    cname: c,
    typedefs,
    structs: [s.text()],
    arrays,
    call: (ins, iv, out, ov) => [`hlsemu::${fn}<${tArg(ctx.io, ins[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}${extra});`],
    summary: `Activation ${act}`,
  };
}

function emitSoftmax(ctx: LayerContext, L: FirmwareLayer, c: string, inT: TensorInfo): LayerCode {
  const impl = String(L.config.implementation ?? 'stable').toLowerCase();
  if (!['latency', 'stable', 'legacy', 'argmax'].includes(impl)) throw new UnsupportedError(`${L.name}.config.implementation`, `softmax implementation '${impl}' is not supported (latency, stable, legacy, argmax)`);
  warnInputType(ctx, L, 'input', inT);
  checkShape(L, 'shapeOut', L.shapeOut, inT.shape);
  const axis = L.config.axis === undefined ? -1 : Number(L.config.axis);
  if (axis !== -1 && axis !== inT.shape.length) throw new UnsupportedError(`${L.name}.config.axis`, `softmax over axis ${axis} is not supported (last axis only)`);
  const n = inT.size;
  const nSlice = inT.shape[inT.shape.length - 1]!;
  if (L.config.n_slice !== undefined && Number(L.config.n_slice) !== nSlice) throw new ConfigError(`${L.name}.config.n_slice`, `is ${String(L.config.n_slice)} but the last axis has ${nSlice} values`);
  const rf = cfgInt(L, 'reuse_factor', 1, 1);
  const s = new Struct(`config_${c}`, `${L.name}: softmax (${impl}) over slices of ${nSlice}, ${n} values`).u('n_in', n).u('n_slice', nSlice).u('reuse_factor', rf);
  if (impl === 'argmax') {
    return {
      layer: L,
      cname: c,
      typedefs: [],
      structs: [s.text()],
      arrays: [],
      call: (ins, iv, out, ov) => [`hlsemu::argmax<${tArg(ctx.io, ins[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov});`],
      summary: 'Softmax (argmax)',
    };
  }
  const typedefs: Array<[string, FixedType]> = [];
  let expSize: number;
  let invSize: number;
  let tables: { exp_table: RawArray; inv_table: RawArray };
  let expT: FixedType;
  let invT: FixedType;
  if (impl === 'legacy') {
    const tt = L.types.table ?? DEFAULT_TABLE_T;
    if (ctx.io === 'io_stream') {
      expSize = cfgInt(L, 'table_size', 1024, 2);
      invSize = expSize;
    } else {
      expSize = cfgInt(L, 'exp_table_size', 1024, 2);
      invSize = cfgInt(L, 'inv_table_size', 1024, 2);
    }
    tables = softmaxTables({ name: L.name, implementation: 'legacy', exp_table_size: expSize, inv_table_size: invSize, types: { input: inT.type, table: tt } });
    expT = tt;
    invT = tt;
    typedefs.push([`${c}_table_t`, tt]);
    s.u('implementation', 'hlsemu::softmax_legacy')
      .u('exp_table_size', expSize)
      .u('inv_table_size', invSize)
      .t('exp_table_t', `${c}_table_t`)
      .t('inv_table_t', `${c}_table_t`)
      .t('accum_t', `${c}_table_t`)
      .t('inv_inp_t', `${c}_table_t`)
      .t('inp_norm_t', `${c}_table_t`);
  } else {
    expT = need(L, 'exp_table');
    invT = need(L, 'inv_table');
    const acc = need(L, 'accum');
    const invInp = L.types.inv_inp ?? expT;
    const norm = L.types.inp_norm ?? softmaxInpNormType(inT.type);
    expSize = cfgInt(L, 'exp_table_size', 1024, 2);
    invSize = cfgInt(L, 'inv_table_size', 1024, 2);
    const expScale = L.config.exp_scale === undefined ? 1 : Number(L.config.exp_scale);
    tables = softmaxTables({
      name: L.name,
      implementation: impl,
      exp_table_size: expSize,
      inv_table_size: invSize,
      exp_scale: expScale,
      types: { input: inT.type, exp_table: expT, inv_table: invT, inv_inp: invInp, inp_norm: norm },
    });
    typedefs.push([`${c}_exp_table_t`, expT], [`${c}_inv_table_t`, invT], [`${c}_accum_t`, acc], [`${c}_inv_inp_t`, invInp], [`${c}_inp_norm_t`, norm]);
    s.u('implementation', impl === 'stable' ? 'hlsemu::softmax_stable' : 'hlsemu::softmax_latency')
      .u('exp_table_size', expSize)
      .u('inv_table_size', invSize)
      .t('exp_table_t', `${c}_exp_table_t`)
      .t('inv_table_t', `${c}_inv_table_t`)
      .t('accum_t', `${c}_accum_t`)
      .t('inv_inp_t', `${c}_inv_inp_t`)
      .t('inp_norm_t', `${c}_inp_norm_t`);
  }
  const expName = impl === 'legacy' ? `${c}_table_t` : `${c}_exp_table_t`;
  const invName = impl === 'legacy' ? `${c}_table_t` : `${c}_inv_table_t`;
  return {
    layer: L,
    cname: c,
    typedefs,
    structs: [s.text()],
    arrays: [
      { name: `${c}_exp_table`, elemType: expName, type: expT, values: tables.exp_table, description: `${L.name} exponential table (${impl})` },
      { name: `${c}_inv_table`, elemType: invName, type: invT, values: tables.inv_table, description: `${L.name} inverse table (${impl})` },
    ],
    call: (ins, iv, out, ov) => [`hlsemu::softmax<${tArg(ctx.io, ins[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov}, ${c}_exp_table, ${c}_inv_table);`],
    summary: `Softmax (${impl})`,
  };
}

// ---------------------------------------------------------------------------------------------
// Reshape, padding, merges
// ---------------------------------------------------------------------------------------------
function emitReshape(ctx: LayerContext, L: FirmwareLayer, c: string, inT: TensorInfo): LayerCode {
  if (shapeSize(L.shapeOut) !== inT.size) throw new ShapeError(`${L.name}.shapeOut`, `${JSON.stringify(L.shapeOut)} has ${shapeSize(L.shapeOut)} elements, the input ${inT.size}`);
  const n = inT.size;
  return {
    layer: L,
    cname: c,
    typedefs: [],
    structs: [],
    arrays: [],
    call: (ins, iv, out, ov) =>
      ctx.io === 'io_stream'
        ? [`hlsemu::repack<${ins[0]!.wordType}, ${out.wordType}, ${n}>(${iv[0]}, ${ov});`]
        : [`hlsemu::copy<${ins[0]!.elemType}, ${out.elemType}, ${n}>(${iv[0]}, ${ov});`],
    summary: `Reshape ${JSON.stringify(inT.shape)} -> ${JSON.stringify(L.shapeOut)}`,
  };
}

function emitZeroPadding(ctx: LayerContext, L: FirmwareLayer, c: string, inT: TensorInfo): LayerCode {
  const oneD = L.cls === 'ZeroPadding1D';
  const sIn = inT.shape;
  if (sIn.length !== (oneD ? 2 : 3)) throw new ShapeError(`${L.name}.shapeIn`, `${L.cls} needs a rank-${oneD ? 2 : 3} input, got ${JSON.stringify(sIn)}`);
  const H = oneD ? 1 : sIn[0]!;
  const W = oneD ? sIn[0]! : sIn[1]!;
  const C = sIn[sIn.length - 1]!;
  const pt = oneD ? 0 : cfgInt(L, 'pad_top', 0);
  const pb = oneD ? 0 : cfgInt(L, 'pad_bottom', 0);
  const pl = cfgInt(L, 'pad_left', 0);
  const pr = cfgInt(L, 'pad_right', 0);
  const OH = H + pt + pb;
  const OW = W + pl + pr;
  checkShape(L, 'shapeOut', L.shapeOut, oneD ? [OW, C] : [OH, OW, C]);
  const s = new Struct(`config_${c}`, `${L.name}: ${L.cls} ${oneD ? `${W}x${C}` : `${H}x${W}x${C}`} -> ${oneD ? `${OW}x${C}` : `${OH}x${OW}x${C}`}`)
    .u('in_height', H)
    .u('in_width', W)
    .u('n_chan', C)
    .u('out_height', OH)
    .u('out_width', OW)
    .u('pad_top', pt)
    .u('pad_bottom', pb)
    .u('pad_left', pl)
    .u('pad_right', pr);
  return {
    layer: L,
    cname: c,
    typedefs: [],
    structs: [s.text()],
    arrays: [],
    call: (ins, iv, out, ov) => [`hlsemu::zeropad<${tArg(ctx.io, ins[0]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${ov});`],
    summary: `${L.cls} pads ${oneD ? `${pl},${pr}` : `${pt},${pb},${pl},${pr}`}`,
  };
}

const MERGE_OPS: Record<string, string> = {
  add: 'hlsemu::merge_add',
  subtract: 'hlsemu::merge_subtract',
  multiply: 'hlsemu::merge_multiply',
  average: 'hlsemu::merge_average',
  maximum: 'hlsemu::merge_maximum',
  minimum: 'hlsemu::merge_minimum',
};

function emitAdd(ctx: LayerContext, L: FirmwareLayer, c: string, a: TensorInfo, b: TensorInfo): LayerCode {
  const op = String(L.config.op ?? 'add').toLowerCase();
  if (!MERGE_OPS[op]) throw new UnsupportedError(`${L.name}.config.op`, `merge op '${op}' is not supported (${Object.keys(MERGE_OPS).join(', ')})`);
  warnInputType(ctx, L, 'input1', a);
  warnInputType(ctx, L, 'input2', b);
  const n = shapeSize(L.shapeOut);
  if (n !== Math.max(a.size, b.size)) throw new ShapeError(`${L.name}.shapeOut`, `expected ${Math.max(a.size, b.size)} elements, got ${n}`);
  if (ctx.io === 'io_stream' && (a.size !== b.size || a.wordSize !== b.wordSize)) {
    throw new UnsupportedError(`${L.name}.inputs`, 'io_stream merges need two inputs of the same shape');
  }
  const s = new Struct(`config_${c}`, `${L.name}: ${op} of ${a.size} and ${b.size} values`).u('n_elem', n).u('n_elem1', a.size).u('n_elem2', b.size).u('op', MERGE_OPS[op]!);
  return {
    layer: L,
    cname: c,
    typedefs: [],
    structs: [s.text()],
    arrays: [],
    call: (ins, iv, out, ov) => [`hlsemu::merge<${tArg(ctx.io, ins[0]!)}, ${tArg(ctx.io, ins[1]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${iv[1]}, ${ov});`],
    summary: `Merge (${op})`,
  };
}

function emitConcatenate(ctx: LayerContext, L: FirmwareLayer, c: string, a: TensorInfo, b: TensorInfo): LayerCode {
  warnInputType(ctx, L, 'input1', a);
  warnInputType(ctx, L, 'input2', b);
  const s1 = a.shape;
  const s2 = b.shape;
  if (s1.length !== s2.length) throw new ShapeError(`${L.name}.inputs`, `ranks differ: ${JSON.stringify(s1)} and ${JSON.stringify(s2)}`);
  const dim = concatDim(s1.length, L.config.axis === undefined ? -1 : Number(L.config.axis));
  for (let k = 0; k < s1.length; k++) {
    if (k !== dim && s1[k] !== s2[k]) throw new ShapeError(`${L.name}.inputs`, `dimension ${k} differs (${s1[k]} vs ${s2[k]})`);
  }
  if (ctx.io === 'io_stream' && dim !== s1.length - 1) throw new UnsupportedError(`${L.name}.config.axis`, 'io_stream concatenation is supported along the last axis only');
  const outer = s1.slice(0, dim).reduce((p, v) => p * v, 1);
  const in1 = s1.slice(dim).reduce((p, v) => p * v, 1);
  const in2 = s2.slice(dim).reduce((p, v) => p * v, 1);
  if (shapeSize(L.shapeOut) !== outer * (in1 + in2)) throw new ShapeError(`${L.name}.shapeOut`, `expected ${outer * (in1 + in2)} elements, got ${shapeSize(L.shapeOut)}`);
  const s = new Struct(`config_${c}`, `${L.name}: concatenate (axis dimension ${dim})`).u('n_outer', outer).u('n_inner1', in1).u('n_inner2', in2);
  return {
    layer: L,
    cname: c,
    typedefs: [],
    structs: [s.text()],
    arrays: [],
    call: (ins, iv, out, ov) => [`hlsemu::concatenate<${tArg(ctx.io, ins[0]!)}, ${tArg(ctx.io, ins[1]!)}, ${tArg(ctx.io, out)}, config_${c}>(${iv[0]}, ${iv[1]}, ${ov});`],
    summary: `Concatenate (dimension ${dim})`,
  };
}

/**
 * Generate the C++ pieces of one layer. Throws UnsupportedError for layer classes, options or
 * geometries the emitter cannot reproduce bit-exactly, ShapeError / ConfigError for inconsistent
 * layers.
 *
 * @example const code = emitLayer({ io: 'io_parallel', warnings: [] }, layer, 'dense1', [inputTensor]);
 */
export function emitLayer(ctx: LayerContext, L: FirmwareLayer, cname: string, ins: TensorInfo[]): LayerCode {
  const two = L.cls === 'Add' || L.cls === 'Concatenate';
  if (ins.length !== (two ? 2 : 1)) throw new ShapeError(`${L.name}.inputs`, `${L.cls} needs ${two ? 2 : 1} input(s), got ${ins.length}`);
  const inT = ins[0]!;
  switch (L.cls) {
    case 'Dense':
      return emitDense(ctx, L, cname, inT);
    case 'Conv1D':
    case 'Conv2D':
      return emitConv(ctx, L, cname, inT);
    case 'MaxPooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling1D':
    case 'AveragePooling2D':
      return emitPooling(ctx, L, cname, inT);
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D':
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
      return emitGlobalPooling(ctx, L, cname, inT);
    case 'BatchNormalization':
      return emitBatchNorm(ctx, L, cname, inT);
    case 'Activation':
      if (String(L.activation ?? L.config.activation ?? '').toLowerCase() === 'softmax') return emitSoftmax(ctx, L, cname, inT);
      return emitActivation(ctx, L, cname, inT);
    case 'Softmax':
      return emitSoftmax(ctx, L, cname, inT);
    case 'Reshape':
      return emitReshape(ctx, L, cname, inT);
    case 'ZeroPadding1D':
    case 'ZeroPadding2D':
      return emitZeroPadding(ctx, L, cname, inT);
    case 'Add':
      return emitAdd(ctx, L, cname, inT, ins[1]!);
    case 'Concatenate':
      return emitConcatenate(ctx, L, cname, inT, ins[1]!);
    default:
      throw new UnsupportedError(`${L.name}.cls`, `layer class '${String(L.cls)}' is not supported by the HLS emitter`);
  }
}
