/**
 * EinsumDense (Keras 3 `EinsumDense`; hls4ml `EinsumDense`, `nnet::einsum_dense`, io_parallel,
 * Latency only).
 *
 * hls4ml sources: converters/keras_v3/einsum_dense.py (strip_batch_dim, EinsumDenseHandler; the
 * Keras 2 converter has no handler), utils/einsum_utils.py (_validate_einsum_expr: '...' resolved
 * into unused letters; parse_einsum: the recipe), model/layers.py (EinsumDense),
 * backends/vivado/vivado_backend.py (init_einsum_dense: kernel pre-transposed, bias broadcast to the
 * output and transposed — zeros typed by the config when absent —, strategy), 
 * backends/vivado/passes/einsum_dense.py (the template asserts io_parallel and the Latency
 * strategy), nnet_utils/nnet_einsum_dense.h.
 */
import { ConfigError, FormatError, ShapeError, UnsupportedError } from '../errors.js';
import type { FixedType } from '../fixed/types.js';
import type { FirmwareLayerBase } from '../graph/firmware.js';
import type { LayerAttrs, ModelLayer } from '../graph/model.js';
import type { LayerConfigReader, WeightSpec } from '../import/keras-config.js';
import { einsumBiasFromKeras, einsumRecipe, einsumWeightsFromKeras, prepareEinsumDense, type EinsumDenseConfig, type EinsumDenseKernel, type EinsumRecipe } from '../kernels/einsum.js';
import { Struct, warnInputType, type LayerCode } from '../emit/layers.js';
import { EINSUM_HEADER } from '../emit/cpp/einsum.js';
import { SEQ_KERNEL_CHECKERS } from '../conformance/kernels-seq.js';
import { LayerCheck, lowered, permuted, rawWeights, typed } from './common.js';
import type { EmitArgs, FirmwareClassSpec, HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

/** `einsum_dense` config fields. */
export interface EinsumDenseFirmwareConfig {
  /** The equation without the batch letter, '...' resolved into letters (informational). */
  equation: string;
  inp_shape: number[];
  out_shape: number[];
  n_free_data: number;
  n_free_kernel: number;
  n_contract: number;
  n_inplace: number;
  inp_tpose_idxs: number[];
  out_tpose_idxs: number[];
  out_interpert_shape: number[];
  strategy: 'latency';
  /** hls4ml's default L0 (informational). */
  parallelization_factor?: number;
}

/**
 * A firmware EinsumDense. `weights.weight`: hls4ml's C array (the Keras kernel transposed to
 * (in-place, free-kernel, contracted) and stored (I, C, L1)); `weights.bias`: the Keras bias broadcast
 * to the output and stored in (in-place, free-input, free-kernel) order.
 */
export interface EinsumDenseLayer extends FirmwareLayerBase<'EinsumDense', EinsumDenseFirmwareConfig, 'weight' | 'bias' | 'accum', 'weight' | 'bias'> {}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

// ---------------------------------------------------------------------------------------------
// Equations
// ---------------------------------------------------------------------------------------------

/** Keras' analysis of an EinsumDense equation for an input (batch axis included, its size null). */
interface KerasEinsum {
  inSpec: string;
  kernelSpec: string;
  outSpec: string;
  form: 'plain' | 'left' | 'right';
  kernelShape: number[];
  biasShape: number[] | null;
}

function kerasEinsum(where: string, equation: string, biasAxes: string | null, inShape: readonly number[], partial: readonly (number | null)[]): KerasEinsum {
  const eq = equation.replace(/\.\.\./g, '0');
  let m = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$/.exec(eq);
  let form: KerasEinsum['form'] = 'plain';
  if (!m) {
    m = /^0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$/.exec(eq);
    form = 'left';
  }
  if (!m) {
    m = /^([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$/.exec(eq);
    form = 'right';
  }
  if (!m) throw new FormatError(`${where}.equation`, `invalid einsum equation '${equation}': Keras accepts [X],[Y]->[Z], ...[X],[Y]->...[Z] or [X]...,[Y]->[Z]...`);
  const [inSpec, kernelSpec, outSpec] = [m[1]!, m[2]!, m[3]!];
  const full: (number | null)[] = [null, ...inShape];
  const elided = full.length - inSpec.length;
  const out: (number | null)[] = [full[0]!, ...partial];
  if (elided > 0 && form === 'left') for (let i = 1; i < elided; i++) out.splice(1, 0, full[i]!);
  else if (elided > 0) for (let i = full.length - elided; i < full.length; i++) out.push(full[i]!);
  const inDim = new Map<string, number>([...inSpec].map((d, i) => [d, form === 'left' ? i + elided : i]));
  const outDim = new Map<string, number>([...outSpec].map((d, i) => [d, form === 'left' ? i + elided : i]));
  for (const d of inSpec) {
    const o = outDim.get(d);
    if (o !== undefined && out[o] !== null && out[o] !== undefined && out[o] !== full[inDim.get(d)!]) {
      throw new ShapeError(`${where}.output_shape`, `input and output sizes differ at the shared dimension '${d}'`);
    }
  }
  const kernelShape = [...kernelSpec].map((d) => {
    const i = inDim.get(d);
    const o = outDim.get(d);
    const v = i !== undefined ? full[i] : o !== undefined ? out[o] : undefined;
    if (typeof v !== 'number') throw new ShapeError(`${where}.equation`, `kernel dimension '${d}' has no size in the input or output_shape`);
    return v;
  });
  let biasShape: number[] | null = null;
  if (biasAxes) {
    const left = form === 'left' ? elided : 0;
    for (const ch of biasAxes) if (!outSpec.includes(ch)) throw new FormatError(`${where}.bias_axes`, `bias axis '${ch}' is not in the output '${outSpec}'`);
    const first = Math.min(...[...biasAxes].map((ch) => outSpec.indexOf(ch)));
    biasShape = [...outSpec.slice(first)].map((ch) => {
      if (!biasAxes.includes(ch)) return 1;
      const v = out[outSpec.indexOf(ch) + left];
      if (typeof v !== 'number') throw new ShapeError(`${where}.bias_axes`, `bias axis '${ch}' has no size`);
      return v;
    });
    if (form !== 'left') for (let i = 0; i < elided; i++) biasShape.push(1);
  }
  return { inSpec, kernelSpec, outSpec, form, kernelShape, biasShape };
}

/**
 * hls4ml's equation: the batch letter stripped (strip_batch_dim) and '...' replaced by unused letters
 * for the axes it covers (_validate_einsum_expr).
 */
function hlsEquation(where: string, equation: string, inShape: readonly number[], kernelShape: readonly number[]): string {
  const [inp = '', out = ''] = equation.split('->');
  let [in0 = '', in1 = ''] = inp.split(',');
  let o = out;
  if (in0.startsWith('...')) {
    if (!o.startsWith('...')) throw new UnsupportedError(`${where}.equation`, `'${equation}': batch dimension mismatch between the input and the output (hls4ml strip_batch_dim)`);
  } else {
    if (in0[0] !== o[0]) throw new UnsupportedError(`${where}.equation`, `'${equation}': batch dimension mismatch between the input and the output (hls4ml strip_batch_dim)`);
    if (in1.includes(in0[0]!)) throw new UnsupportedError(`${where}.equation`, `'${equation}': the batch dimension is used in the kernel (hls4ml strip_batch_dim)`);
    in0 = in0.slice(1);
    o = o.slice(1);
  }
  const used = new Set((in0 + in1 + o).replace(/\./g, ''));
  const free = [...LETTERS].filter((c) => !used.has(c)).sort();
  const expand = (s: string, n: number) => s.replace('...', free.slice(0, n).join(''));
  let r0 = in0;
  let r1 = in1;
  let ro = o;
  if (in0.includes('...')) {
    const n = inShape.length - (in0.length - 3);
    if (n < 0) throw new ShapeError(`${where}.equation`, `the input needs at least ${in0.length - 3} axes, it has ${inShape.length}`);
    r0 = expand(in0, n);
    ro = expand(o, n);
  }
  if (in1.includes('...')) {
    const n = kernelShape.length - (in1.length - 3);
    r1 = expand(in1, n);
    ro = expand(ro, n);
  }
  return `${r0},${r1}->${ro}`;
}

/** The output shape of the resolved equation. */
function einsumOutShape(eq: string, inShape: readonly number[], kernelShape: readonly number[]): number[] {
  const [inp = '', out = ''] = eq.split('->');
  const [a = '', k = ''] = inp.split(',');
  return [...out].map((c) => (a.includes(c) ? inShape[a.indexOf(c)]! : kernelShape[k.indexOf(c)]!));
}

// ---------------------------------------------------------------------------------------------
// Model class
// ---------------------------------------------------------------------------------------------

interface EinsumAttrs {
  equation: string;
  partialOutput: (number | null)[];
  biasAxes: string | null;
}

function analyse(where: string, a: LayerAttrs, inShape: readonly number[]): { k: KerasEinsum; eq: string; recipe: EinsumRecipe; outShape: number[] } {
  const e = a as unknown as EinsumAttrs;
  const k = kerasEinsum(where, e.equation, e.biasAxes, inShape, e.partialOutput);
  const eq = hlsEquation(where, e.equation, inShape, k.kernelShape);
  let recipe: EinsumRecipe;
  try {
    recipe = einsumRecipe(eq, inShape, k.kernelShape);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ShapeError || err instanceof UnsupportedError) throw new UnsupportedError(`${where}.equation`, `'${e.equation}' (${eq} without the batch axis): ${err.message}`);
    throw err;
  }
  return { k, eq, recipe, outShape: einsumOutShape(eq, inShape, k.kernelShape) };
}

const keras: NonNullable<ModelClassSpec['keras']> = {
  arity: 'one',
  attrs(r: LayerConfigReader): LayerAttrs {
    if (r.has('lora_rank')) throw new UnsupportedError(r.field('lora_rank'), 'LoRA EinsumDense layers are not supported');
    if (r.has('quantization_config')) throw new UnsupportedError(r.field('quantization_config'), 'quantized (int8/int4/GPTQ/AWQ) EinsumDense layers are not supported');
    const os = r.config['output_shape'];
    const partial = typeof os === 'number' ? [os] : os;
    if (!Array.isArray(partial) || !partial.every((d) => d === null || (typeof d === 'number' && Number.isInteger(d) && d > 0))) {
      throw new FormatError(r.field('output_shape'), `expected an integer or a list of integers / nulls, got ${JSON.stringify(os)}`);
    }
    const ba = r.config['bias_axes'];
    if (ba !== undefined && ba !== null && typeof ba !== 'string') throw new FormatError(r.field('bias_axes'), `expected a string or null, got ${JSON.stringify(ba)}`);
    return { equation: r.str('equation'), partialOutput: partial as (number | null)[], biasAxes: typeof ba === 'string' && ba !== '' ? ba : null, activation: r.activation() };
  },
  outputShape([x = []], a, r) {
    return analyse(r.where, a, x).outShape;
  },
  weights(a, [x = []]) {
    const { k } = analyse('EinsumDense', a, x);
    const w: WeightSpec[] = [{ name: 'kernel', shape: k.kernelShape }];
    if (k.biasShape) w.push({ name: 'bias', shape: k.biasShape });
    return w;
  },
};

/** The exact einsum of the Keras kernel (and bias) in float64, one sample at a time. */
function floatEinsum(l: ModelLayer, x: Float64Array, n: number): Float64Array {
  const inShape = l.inputShapes[0]!;
  const { k, eq, outShape } = analyse(l.name, l.attrs, inShape);
  const [inp = '', out = ''] = eq.split('->');
  const [a = '', ks = ''] = inp.split(',');
  const kernel = l.weights.kernel?.data;
  if (!kernel) throw new ShapeError(`${l.name}.kernel`, 'missing kernel');
  const bias = k.biasShape && l.weights.bias ? einsumBiasFromKeras(Array.from(l.weights.bias.data), k.biasShape, { ...einsumRecipe(eq, inShape, k.kernelShape), out_tpose_idxs: [...outShape.keys()] }, 0) : null;
  const size = new Map<string, number>();
  [...a].forEach((c, i) => size.set(c, inShape[i]!));
  [...ks].forEach((c, i) => size.set(c, k.kernelShape[i]!));
  const sum = [...new Set([...a, ...ks])].filter((c) => !out.includes(c));
  const strides = (spec: string, shape: readonly number[]) => {
    const s = new Map<string, number>();
    let m = 1;
    for (let i = spec.length - 1; i >= 0; i--) {
      s.set(spec[i]!, m);
      m *= shape[i]!;
    }
    return s;
  };
  const sa = strides(a, inShape);
  const sk = strides(ks, k.kernelShape);
  const nOut = prod(outShape);
  const nIn = prod(inShape);
  const nSum = prod(sum.map((c) => size.get(c)!));
  const y = new Float64Array(n * nOut);
  const val = new Map<string, number>();
  for (let o = 0; o < nOut; o++) {
    let rem = o;
    for (let d = out.length - 1; d >= 0; d--) {
      val.set(out[d]!, rem % outShape[d]!);
      rem = Math.floor(rem / outShape[d]!);
    }
    for (let s = 0; s < n; s++) {
      let acc = bias ? bias[o]! : 0;
      for (let q = 0; q < nSum; q++) {
        let r2 = q;
        for (let d = sum.length - 1; d >= 0; d--) {
          const sz = size.get(sum[d]!)!;
          val.set(sum[d]!, r2 % sz);
          r2 = Math.floor(r2 / sz);
        }
        let ia = 0;
        for (const c of a) ia += val.get(c)! * sa.get(c)!;
        let ik = 0;
        for (const c of ks) ik += val.get(c)! * sk.get(c)!;
        acc += x[s * nIn + ia]! * kernel[ik]!;
      }
      y[s * nOut + o] = acc;
    }
  }
  return y;
}

const model: ModelClassSpec = {
  keras,
  hlsClass: () => 'EinsumDense',
  typeKey: () => 'EinsumDense',
  splitsActivation: true,
  build(l, ctx) {
    if (ctx.source !== 'keras3') throw new UnsupportedError(ctx.where, "EinsumDense is converted by hls4ml's Keras 3 converter only (its Keras 2 converter has no handler: 'Unsupported layer type: EinsumDense')");
    const inShape = l.inputShapes[0]!;
    const { k, eq, recipe, outShape } = analyse(ctx.where, l.attrs, inShape);
    const kernel = l.weights.kernel;
    if (!kernel) throw new ShapeError(`${ctx.where}.kernel`, 'missing kernel');
    const b = k.biasShape ? l.weights.bias : undefined;
    return {
      cls: 'EinsumDense',
      attrs: { equation: eq, inShape: [...inShape], outShape, kernelShape: k.kernelShape, biasShape: k.biasShape, recipe },
      weights: {
        weight: { data: kernel.data, shape: k.kernelShape },
        // init_einsum_dense: a missing bias is zeros of the output, typed by the config.
        bias: b ? { data: b.data, shape: k.biasShape! } : { data: new Float64Array(prod(outShape)), shape: outShape },
      },
    };
  },
  float: (l, [x], ctx) => floatEinsum(l, x!, ctx.n),
  profileWeights(l) {
    const out = [{ tensor: 'weight', values: Float64Array.from(l.weights.kernel?.data ?? []) }];
    if (l.weights.bias) out.push({ tensor: 'bias', values: Float64Array.from(l.weights.bias.data) });
    return out;
  },
  accumRange: () => ({ of: 'products' }),
};

// ---------------------------------------------------------------------------------------------
// hls4ml class
// ---------------------------------------------------------------------------------------------

const hls: HlsClassSpec = {
  types: [{ name: 'result' }, { name: 'weight' }, { name: 'bias' }, { name: 'accum' }],
  // No 'auto' rule: every 'auto' type becomes the Model default.
  lower(n, ctx): EinsumDenseLayer {
    if (ctx.io !== 'io_parallel') throw new UnsupportedError(`${n.name}.IOType`, "hls4ml's EinsumDense template asserts 'EinsumDense layer only supports io_parallel and distributed_arithmetic'");
    const strategy = String(n.settings.strategy ?? 'latency').toLowerCase();
    if (strategy === 'resource') throw new UnsupportedError(`${n.name}.Strategy`, "hls4ml's EinsumDense template asserts 'EinsumDense layer only supports Latency strategy for now'");
    if (strategy !== 'latency') ctx.warn(`${n.name}: hls4ml uses the Latency strategy for an EinsumDense layer with Strategy '${String(n.settings.strategy)}' (init_einsum_dense warns 'Invalid strategy')`);
    const r = n.attrs.recipe as EinsumRecipe;
    const kernelShape = n.attrs.kernelShape as number[];
    const outShape = n.attrs.outShape as number[];
    const weight = typed(n, 'weight');
    const bias = typed(n, 'bias');
    const idx = (k: number) => Array.from({ length: k }, (_, i) => i);
    const w = permuted(rawWeights(n, 'weight', weight), Int32Array.from(einsumWeightsFromKeras(idx(prod(kernelShape)), kernelShape, r)));
    const bw = n.weights.bias!;
    const b = permuted(rawWeights(n, 'bias', bias), Int32Array.from(einsumBiasFromKeras(idx(bw.data.length), bw.shape, r, 0)));
    const config: EinsumDenseFirmwareConfig = {
      equation: n.attrs.equation as string,
      inp_shape: [...(n.attrs.inShape as number[])],
      out_shape: outShape,
      n_free_data: r.n_free_data,
      n_free_kernel: r.n_free_kernel,
      n_contract: r.n_contract,
      n_inplace: r.n_inplace,
      inp_tpose_idxs: r.inp_tpose_idxs,
      out_tpose_idxs: r.out_tpose_idxs,
      out_interpert_shape: r.out_interpert_shape,
      strategy: 'latency',
      parallelization_factor: r.n_free_data,
    };
    const L: EinsumDenseLayer = {
      ...lowered(n, ctx, 'EinsumDense', config),
      types: { input: ctx.inputTypes[0]!, result: typed(n, 'result'), weight, bias, accum: typed(n, 'accum') },
      weights: { weight: w.raw, bias: b.raw },
      text: { weight: w.text, bias: b.text },
    };
    prepare(L);
    return L;
  },
};

// ---------------------------------------------------------------------------------------------
// Firmware class
// ---------------------------------------------------------------------------------------------

function kernelConfig(L: EinsumDenseLayer): EinsumDenseConfig {
  const c = L.config;
  return {
    name: L.name,
    inp_shape: c.inp_shape,
    out_shape: c.out_shape,
    n_free_data: c.n_free_data,
    n_free_kernel: c.n_free_kernel,
    n_contract: c.n_contract,
    n_inplace: c.n_inplace,
    inp_tpose_idxs: c.inp_tpose_idxs,
    out_tpose_idxs: c.out_tpose_idxs,
    out_interpert_shape: c.out_interpert_shape,
    io_type: c.io_type,
    strategy: c.strategy,
    types: L.types,
  };
}

function prepare(L: EinsumDenseLayer): EinsumDenseKernel {
  return prepareEinsumDense(kernelConfig(L), L.weights.weight, L.weights.bias);
}

const KEYS = ['equation', 'equation_resolved', 'inp_shape', 'out_shape', 'kernel_shape', 'n_free_data', 'n_free_kernel', 'n_contract', 'n_inplace', 'inp_tpose_idxs', 'ker_tpose_idxs', 'out_tpose_idxs', 'out_interpert_shape', 'strategy', 'parallelization_factor'];

const firmware: FirmwareClassSpec<EinsumDenseLayer> = {
  check(L, path) {
    const c = new LayerCheck(L, path, KEYS);
    if (c.io !== 'io_parallel') throw new UnsupportedError(`${path}.config.io_type`, 'hls4ml supports EinsumDense with io_parallel only');
    const strategy = c.choice('strategy', ['latency'] as const, 'latency');
    const inp = c.ints('inp_shape') ?? [...L.shapeIn];
    const out = c.ints('out_shape') ?? [...L.shapeOut];
    if (inp.length !== L.shapeIn.length || inp.some((d, i) => d !== L.shapeIn[i])) throw new ShapeError(`${path}.config.inp_shape`, `is ${JSON.stringify(inp)} but shapeIn is ${JSON.stringify(L.shapeIn)}`);
    c.out(out);
    const int = (k: string) => c.int(k, 1);
    const list = (k: string) => {
      const v = c.ints(k);
      if (!v) throw new FormatError(`${path}.config.${k}`, 'missing required field');
      return v;
    };
    const config: EinsumDenseFirmwareConfig = {
      equation: typeof c.cfg.equation === 'string' ? c.cfg.equation : '',
      inp_shape: inp,
      out_shape: out,
      n_free_data: int('n_free_data'),
      n_free_kernel: int('n_free_kernel'),
      n_contract: int('n_contract'),
      n_inplace: int('n_inplace'),
      inp_tpose_idxs: list('inp_tpose_idxs'),
      out_tpose_idxs: list('out_tpose_idxs'),
      out_interpert_shape: list('out_interpert_shape'),
      strategy,
    };
    const nW = config.n_inplace * config.n_contract * config.n_free_kernel;
    const nB = config.n_free_data * config.n_free_kernel * config.n_inplace;
    const layer: EinsumDenseLayer = {
      ...L,
      cls: 'EinsumDense',
      config: { ...config, io_type: c.io },
      types: { input: c.type('input'), result: c.type('result'), weight: c.type('weight'), bias: c.type('bias'), accum: c.type('accum') },
      weights: { weight: c.weight('weight', nW), bias: c.weight('bias', nB) },
    };
    prepare(layer);
    return layer;
  },
  reference(L) {
    const k = prepare(L);
    return (xs, s) => k.run(xs[0]!, s ? { stats: s } : {});
  },
  emit(L: EinsumDenseLayer, { ctx, cname: c, ins }: EmitArgs): LayerCode {
    warnInputType(ctx, L, 'input', ins[0]!);
    const cfg = L.config;
    const t = L.types;
    const tpose = (name: string, shape: number[], perm: number[]) =>
      new Struct(name, `${L.name}: transpose of a ${JSON.stringify(shape)} tensor by ${JSON.stringify(perm)}`)
        .u('dims', shape.length)
        .u('size', prod(shape))
        .arr('unsigned', 'shape', shape.length, shape)
        .arr('unsigned', 'perm', perm.length, perm)
        .text();
    const s = new Struct(`config_${c}`, `${L.name}: EinsumDense ${cfg.equation || ''} (L0 ${cfg.n_free_data}, L1 ${cfg.n_free_kernel}, C ${cfg.n_contract}, I ${cfg.n_inplace})`)
      .u('n_free_data', cfg.n_free_data).u('n_free_kernel', cfg.n_free_kernel).u('n_contract', cfg.n_contract).u('n_inplace', cfg.n_inplace)
      .t('accum_t', `${c}_accum_t`).t('weight_t', `${c}_weight_t`).t('bias_t', `${c}_bias_t`).t('tpose_inp', `config_${c}_tin`).t('tpose_out', `config_${c}_tout`);
    return {
      layer: L,
      cname: c,
      typedefs: [
        [`${c}_weight_t`, t.weight],
        [`${c}_bias_t`, t.bias],
        [`${c}_accum_t`, t.accum],
      ] as Array<[string, FixedType]>,
      structs: [tpose(`config_${c}_tin`, cfg.inp_shape, cfg.inp_tpose_idxs), tpose(`config_${c}_tout`, cfg.out_interpert_shape, cfg.out_tpose_idxs), s.text()],
      arrays: [
        { name: `${c}_w`, elemType: `${c}_weight_t`, type: t.weight, values: L.weights.weight, description: `${L.name} kernel as (in-place, contracted, free-kernel)` },
        { name: `${c}_b`, elemType: `${c}_bias_t`, type: t.bias, values: L.weights.bias, description: `${L.name} bias broadcast to the output, (in-place, free-input, free-kernel)` },
      ],
      headers: [EINSUM_HEADER],
      call: (is, iv, out, ov) => [`hlsemu::einsum_dense<${is[0]!.elemType}, ${out.elemType}, config_${c}>(${iv[0]}, ${ov}, ${c}_w, ${c}_b);`],
      summary: `EinsumDense ${cfg.equation} ${JSON.stringify(cfg.inp_shape)} -> ${JSON.stringify(cfg.out_shape)}`,
    };
  },
  macs: (L) => L.config.n_free_data * L.config.n_free_kernel * L.config.n_contract * L.config.n_inplace,
};

/** The EinsumDense kind. */
export const einsumModule = {
  kind: 'EinsumDense',
  model: { EinsumDense: model },
  hls: { EinsumDense: hls },
  firmware: { EinsumDense: firmware },
  kernels: { einsum_dense: SEQ_KERNEL_CHECKERS.einsum_dense! },
} satisfies LayerModule;
