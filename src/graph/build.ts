/**
 * Step 1 of the hls4ml conversion: parse a ModelGraph the way hls4ml's Keras 2 front end does —
 * Dropout removed, activations split into `<layer>_<activation>` layers (even 'linear'), softmax
 * activations become Softmax layers, BatchNormalization turned into scale/bias (float32), missing
 * biases become zeros typed `ap_uint<1>` — and give every variable its configured type ('auto' kept).
 */
import { ConfigError, UnsupportedError } from '../errors.js';
import { fixedType, parseFixedType } from '../fixed/types.js';
import { getPrecision, layerSetting, nameSetting, type Hls4mlConfig } from './config.js';
import type { HlsClass, HlsGraph, HlsNode, MaybeType } from './hls-graph.js';
import type { ModelGraph, ModelLayer } from './model.js';

const f32 = Math.fround;

/** The precision variables each hls4ml class reads from the config. */
const VARS: Record<HlsClass, string[]> = {
  Input: ['result'],
  Dense: ['result', 'accum', 'weight', 'bias'],
  Conv1D: ['result', 'accum', 'weight', 'bias'],
  Conv2D: ['result', 'accum', 'weight', 'bias'],
  Pooling1D: ['result', 'accum'],
  Pooling2D: ['result', 'accum'],
  GlobalPooling1D: ['result', 'accum'],
  GlobalPooling2D: ['result', 'accum'],
  BatchNormalization: ['result', 'scale', 'bias'],
  Activation: ['result'],
  LeakyReLU: ['result', 'param'],
  Softmax: ['result', 'accum'],
  Reshape: ['result'],
  ZeroPadding1D: ['result'],
  ZeroPadding2D: ['result'],
  Merge: ['result'],
  Concatenate: ['result'],
};

const TABLE_DEFAULT = 'fixed<18,8>';
const SOFTMAX_TABLE_DEFAULT = 'fixed<18,8,RND,SAT>';

function typeFromText(text: unknown, path: string): MaybeType {
  if (text === 'auto') return 'auto';
  if (typeof text !== 'string') throw new ConfigError(path, `expected a type string, got ${JSON.stringify(text)}`);
  try {
    return parseFixedType(text);
  } catch (e) {
    throw new ConfigError(path, (e as Error).message);
  }
}

/** Assign configured types to a node's variables (plus table attributes with their defaults). */
export function assignTypes(node: HlsNode, cfg: Hls4mlConfig): void {
  for (const v of VARS[node.cls]) {
    if (node.types[v] !== undefined) continue;
    node.types[v] = getPrecision(cfg, node.name, node.cls, v);
  }
  if (node.cls === 'Activation' || node.cls === 'LeakyReLU') {
    node.types.table = typeFromText(nameSetting(cfg, node.name, 'table_t') ?? TABLE_DEFAULT, `LayerName.${node.name}.table_t`);
  }
  if (node.cls === 'Softmax') {
    node.types.table = typeFromText(nameSetting(cfg, node.name, 'table_t') ?? TABLE_DEFAULT, `LayerName.${node.name}.table_t`);
    node.types.exp_table = typeFromText(nameSetting(cfg, node.name, 'exp_table_t') ?? SOFTMAX_TABLE_DEFAULT, `LayerName.${node.name}.exp_table_t`);
    node.types.inv_table = typeFromText(nameSetting(cfg, node.name, 'inv_table_t') ?? SOFTMAX_TABLE_DEFAULT, `LayerName.${node.name}.inv_table_t`);
    // hls4ml's template uses exp_table_t for inv_inp_t unless one is given explicitly.
    const invInp = nameSetting(cfg, node.name, 'inv_inp_t' as never);
    node.types.inv_inp = invInp === undefined ? node.types.exp_table : typeFromText(invInp, `LayerName.${node.name}.inv_inp_t`);
  }
  // QONNX-style quantizers override the config for their variables.
  if (node.quantizers) {
    if (node.quantizers.weight) node.types.weight = node.quantizers.weight;
    if (node.quantizers.bias) node.types.bias = node.quantizers.bias;
    if (node.quantizers.result) node.types.result = node.quantizers.result;
  }
}

function settingsFor(cfg: Hls4mlConfig, name: string, cls: HlsClass): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  for (const k of ['ReuseFactor', 'Strategy', 'ConvImplementation'] as const) {
    const v = layerSetting(cfg, name, cls, k);
    if (v !== undefined) s[k] = v;
  }
  for (const k of ['Implementation', 'table_size'] as const) {
    const v = layerSetting(cfg, name, cls, k);
    if (v !== undefined) s[k] = v;
  }
  return s;
}

function activationNode(name: string, act: string, input: string, shape: number[], alpha?: number): Omit<HlsNode, 'settings' | 'types'> {
  const a = act.toLowerCase();
  if (a === 'softmax') return { name, cls: 'Softmax', inputs: [input], shapeIn: [shape], shapeOut: shape, attrs: { activation: 'softmax', axis: -1 }, weights: {} };
  if (a === 'leaky_relu') return { name, cls: 'LeakyReLU', inputs: [input], shapeIn: [shape], shapeOut: shape, attrs: { activation: 'leaky_relu', alpha: alpha ?? 0.2 }, weights: {} };
  const known = ['linear', 'relu', 'sigmoid', 'tanh'];
  if (!known.includes(a)) throw new UnsupportedError(`${name}.activation`, `activation '${act}' is not supported (supported: ${[...known, 'softmax', 'leaky_relu'].join(', ')})`);
  return { name, cls: 'Activation', inputs: [input], shapeIn: [shape], shapeOut: shape, attrs: { activation: a }, weights: {} };
}

function bnScaleBias(l: ModelLayer): { scale: Float32Array; bias: Float32Array } {
  const n = l.outputShape[l.outputShape.length - 1]!;
  const get = (k: string, fill: number): Float32Array => {
    const t = l.weights[k];
    if (!t) return new Float32Array(n).fill(fill);
    if (t.data.length !== n) throw new ConfigError(`${l.name}.${k}`, `expected ${n} values, got ${t.data.length}`);
    return Float32Array.from(t.data);
  };
  const gamma = l.attrs.scale === false ? new Float32Array(n).fill(1) : get('gamma', 1);
  const beta = l.attrs.center === false ? new Float32Array(n) : get('beta', 0);
  const mean = get('moving_mean', 0);
  const variance = get('moving_variance', 1);
  const eps = f32(l.attrs.epsilon ?? 1e-3);
  const scale = new Float32Array(n);
  const bias = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    scale[i] = f32(gamma[i]! / f32(Math.sqrt(f32(variance[i]! + eps))));
    bias[i] = f32(beta[i]! - f32(scale[i]! * mean[i]!));
  }
  return { scale, bias };
}

/**
 * Build the working graph from the float model and the config (types assigned, 'auto' kept).
 *
 * @example const g = buildHlsGraph(model, cfg);
 */
export function buildHlsGraph(model: ModelGraph, cfg: Hls4mlConfig): HlsGraph {
  const g: HlsGraph = { name: model.name, ioType: cfg.IOType ?? 'io_parallel', nodes: [], outputs: [...model.outputs], changes: [] };
  const alias = new Map<string, string>(); // removed layer → its input
  const resolve = (n: string): string => {
    let x = n;
    while (alias.has(x)) x = alias.get(x)!;
    return x;
  };
  const push = (n: Omit<HlsNode, 'settings' | 'types'>): HlsNode => {
    const node: HlsNode = { ...n, types: {}, settings: settingsFor(cfg, n.name, n.cls) };
    assignTypes(node, cfg);
    g.nodes.push(node);
    return node;
  };
  model.layers.forEach((l, pos) => {
    const inputs = l.inputs.map(resolve);
    const where = `layers[${pos}] (${l.className} '${l.name}')`;
    const base = { name: l.name, inputs, shapeIn: l.inputShapes, shapeOut: l.outputShape, weights: {} as HlsNode['weights'], quantizers: l.quantizers };
    let last = l.name;
    switch (l.className) {
      case 'InputLayer':
        push({ ...base, cls: 'Input', attrs: {} });
        break;
      case 'Dropout':
        alias.set(l.name, inputs[0]!);
        g.changes.push(`${l.name} (Dropout) removed`);
        return;
      case 'Dense':
      case 'Conv1D':
      case 'Conv2D': {
        const k = l.weights.kernel;
        if (!k) throw new ConfigError(`${where}.kernel`, 'missing kernel weights');
        if (l.className === 'Dense' && l.inputShapes[0]!.length !== 1) {
          throw new UnsupportedError(where, `Dense on a ${l.inputShapes[0]!.length}-D input is not supported (flatten first)`);
        }
        const nOut = l.outputShape[l.outputShape.length - 1]!;
        const weights: HlsNode['weights'] = { weight: { data: k.data, shape: k.shape } };
        const node = push({ ...base, cls: l.className, attrs: { ...l.attrs } });
        if (l.weights.bias && l.attrs.useBias !== false) {
          weights.bias = { data: l.weights.bias.data, shape: l.weights.bias.shape };
        } else {
          weights.bias = { data: new Float64Array(nOut), shape: [nOut] };
          node.types.bias = fixedType(false, 1, 1); // hls4ml: missing bias is ap_uint<1> zeros
          node.attrs.noBias = true;
        }
        node.weights = weights;
        const act = l.attrs.activation;
        // Keras 2 front end splits every activation, even 'linear'; Keras 3 only non-linear ones.
        if (act && !(model.source === 'keras3' && act === 'linear')) {
          last = `${l.name}_${act}`;
          push(activationNode(last, act, l.name, l.outputShape));
        }
        break;
      }
      case 'BatchNormalization': {
        const { scale, bias } = bnScaleBias(l);
        const node = push({ ...base, cls: 'BatchNormalization', attrs: { ...l.attrs } });
        node.weights = { scale: { data: scale, shape: [scale.length] }, bias: { data: bias, shape: [bias.length] } };
        break;
      }
      case 'Activation': {
        const n = activationNode(l.name, l.attrs.activation ?? 'linear', inputs[0]!, l.outputShape);
        push({ ...n, quantizers: l.quantizers });
        break;
      }
      case 'ReLU': {
        if ((l.attrs.maxValue ?? null) !== null || (l.attrs.negativeSlope ?? 0) !== 0 || (l.attrs.threshold ?? 0) !== 0) {
          throw new UnsupportedError(where, 'ReLU with max_value, negative_slope or threshold is not supported');
        }
        push({ ...activationNode(l.name, 'relu', inputs[0]!, l.outputShape), quantizers: l.quantizers });
        break;
      }
      case 'LeakyReLU':
        push({ ...activationNode(l.name, 'leaky_relu', inputs[0]!, l.outputShape, l.attrs.alpha ?? 0.3), quantizers: l.quantizers });
        break;
      case 'Softmax':
        push({ ...base, cls: 'Softmax', attrs: { activation: 'softmax', axis: l.attrs.axis ?? -1 } });
        break;
      case 'MaxPooling1D':
      case 'AveragePooling1D':
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        push({ ...base, cls: l.className.endsWith('1D') ? 'Pooling1D' : 'Pooling2D', attrs: { ...l.attrs, pool_op: l.className.startsWith('Max') ? 'Max' : 'Average' } });
        break;
      case 'GlobalMaxPooling1D':
      case 'GlobalAveragePooling1D':
      case 'GlobalMaxPooling2D':
      case 'GlobalAveragePooling2D':
        push({ ...base, cls: l.className.endsWith('1D') ? 'GlobalPooling1D' : 'GlobalPooling2D', attrs: { ...l.attrs, pool_op: l.className.includes('Max') ? 'Max' : 'Average' } });
        break;
      case 'Flatten':
      case 'Reshape':
        push({ ...base, cls: 'Reshape', attrs: { ...l.attrs, flatten: l.className === 'Flatten' } });
        break;
      case 'ZeroPadding1D':
      case 'ZeroPadding2D':
        push({ ...base, cls: l.className, attrs: { ...l.attrs } });
        break;
      case 'Add':
        if (inputs.length !== 2) throw new UnsupportedError(where, `Add with ${inputs.length} inputs is not supported (2 only)`);
        push({ ...base, cls: 'Merge', attrs: { op: 'add' } });
        break;
      case 'Concatenate':
        if (inputs.length !== 2) throw new UnsupportedError(where, `Concatenate with ${inputs.length} inputs is not supported (2 only)`);
        push({ ...base, cls: 'Concatenate', attrs: { axis: l.attrs.axis ?? -1 } });
        break;
      default:
        throw new UnsupportedError(where, `layer class ${l.className} is not supported`);
    }
    if (last !== l.name) {
      // consumers of the Keras layer read the split activation's output
      alias.set(l.name, last);
      // but the activation itself reads the layer: undo the alias for it
      const act = g.nodes[g.nodes.length - 1]!;
      act.inputs = [l.name];
    }
  });
  g.outputs = g.outputs.map(resolve);
  checkLayerNames(cfg, g, model);
  return g;
}

/** Every `LayerName` key must name a layer of the model (or one hls4ml creates: split activations, zero padding). */
function checkLayerNames(cfg: Hls4mlConfig, g: HlsGraph, model: ModelGraph): void {
  if (!cfg.LayerName) return;
  const known = new Set<string>();
  for (const l of model.layers) known.add(l.name.toLowerCase());
  for (const n of g.nodes) {
    known.add(n.name.toLowerCase());
    known.add(`zp1d_${n.name}`.toLowerCase());
    known.add(`zp2d_${n.name}`.toLowerCase());
  }
  for (const key of Object.keys(cfg.LayerName)) {
    if (!known.has(key.toLowerCase())) {
      const names = g.nodes.map((n) => n.name).join(', ');
      throw new ConfigError(`LayerName.${key}`, `no layer named '${key}' in model '${model.name}' (layers: ${names})`);
    }
  }
}
