// Small ModelGraph builders for graph tests.
import type { FixedType } from '../../src/fixed/index.js';
import type { FirmwareGraph } from '../../src/graph/firmware.js';
import type { FloatTensor, ModelGraph, ModelLayer } from '../../src/graph/model.js';

/** A firmware layer with its fields loosely typed for assertions. */
export type FwLayer = { name: string; cls: string; config: Record<string, unknown>; types: Record<string, FixedType | undefined>; weights: Record<string, Float64Array | undefined> };

/** The firmware layer called `name` (throws listing the layers when there is none). */
export function fwLayer(fw: FirmwareGraph, name: string): FwLayer {
  const L = fw.layers.find((l) => l.name === name);
  if (!L) throw new Error(`no layer ${name} (layers: ${fw.layers.map((l) => l.name).join(', ')})`);
  return L as unknown as FwLayer;
}

/** The error `fn` throws (fails when it does not throw). */
export function thrown(fn: () => unknown): Error & { path?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { path?: string };
  }
  throw new Error('expected a throw');
}

let seed = 7;
/** Deterministic pseudo-random float32 tensor. */
export function rnd(shape: number[], scale = 1): FloatTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    data[i] = (seed / 2147483648 - 0.5) * 2 * scale;
  }
  return { shape, data };
}

/** A sequential model from layers given without inputs/inputShapes (filled in order). */
export function sequential(name: string, inputShape: number[], layers: Omit<ModelLayer, 'inputs' | 'inputShapes'>[]): ModelGraph {
  const all: ModelLayer[] = [{ name: 'input_1', className: 'InputLayer', inputs: [], inputShapes: [], outputShape: inputShape, attrs: {}, weights: {} }];
  for (const l of layers) {
    const prev = all[all.length - 1]!;
    all.push({ ...l, inputs: [prev.name], inputShapes: [prev.outputShape] });
  }
  return { name, source: 'test', layers: all, outputs: [all[all.length - 1]!.name] };
}

/** Dense → BN → ReLU model (Dense with a linear activation, as Keras writes it). */
export function denseBnModel(nIn = 16, nOut = 8): ModelGraph {
  return sequential('dense_bn', [nIn], [
    { name: 'dense1', className: 'Dense', outputShape: [nOut], attrs: { units: nOut, activation: 'linear', useBias: false }, weights: { kernel: rnd([nIn, nOut], 0.5) } },
    {
      name: 'bn1',
      className: 'BatchNormalization',
      outputShape: [nOut],
      attrs: { epsilon: 0.001 },
      weights: { gamma: rnd([nOut], 1), beta: rnd([nOut], 0.3), moving_mean: rnd([nOut], 0.2), moving_variance: { shape: [nOut], data: new Float32Array(nOut).fill(0.5) } },
    },
    { name: 'relu1', className: 'Activation', outputShape: [nOut], attrs: { activation: 'relu' }, weights: {} },
  ]);
}
