/**
 * Keras class → layer rule lookup, shared by every Keras-family reader (tfjs `model.json`, Keras 2/3
 * topology JSON + HDF5, in-memory tfjs models). The rules themselves (normalised attrs, Keras output
 * shapes, expected float weights) live in the layer modules (src/layers) and are collected by the
 * layer registry; the config-reading helpers are in keras-config.ts. Anything without a rule
 * (Lambda, channels_first, dilation ≠ 1, groups ≠ 1, unknown activations …) is rejected with an
 * {@link UnsupportedError} naming the layer.
 */
import { FormatError, ShapeError, UnsupportedError, describeValue } from '../errors.js';
import { limits } from '../io/limits.js';
import type { LayerAttrs, LayerQuantizers, ModelLayerClass } from '../graph/model.js';
import { KERAS_CLASSES, REJECTED_KERAS_CLASSES } from '../layers/registry.js';
import type { KerasRule } from '../layers/spec.js';
import type { LayerConfigReader, WeightSpec } from './keras-config.js';

export {
  LayerConfigReader,
  SUPPORTED_ACTIVATIONS,
  normaliseActivation,
  normaliseAxis,
  readBatchInputShape,
  type WeightSpec,
} from './keras-config.js';
export { kerasOutputLength as convOutputLength } from '../kernels/geometry.js';

/** Everything the topology reader needs to know about one supported Keras class. */
export interface KerasLayerRule extends KerasRule {
  /** The ModelGraph class this Keras class becomes. */
  className: ModelLayerClass;
}

/** Alternative Keras / tfjs class names mapped onto a table entry (derived from the layer modules). */
export const KERAS_CLASS_ALIASES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(KERAS_CLASSES).filter(([name, e]) => name !== e.cls).map(([name, e]) => [name, e.cls])),
);

/** The Keras layer table: canonical Keras class name → rule (derived from the layer registry). */
export const KERAS_LAYER_TABLE: Readonly<Record<string, KerasLayerRule>> = Object.freeze(
  Object.fromEntries(Object.entries(KERAS_CLASSES).filter(([name, e]) => name === e.cls).map(([name, e]) => [name, { ...e.rule, className: e.cls as ModelLayerClass }])),
);

/** Classes that nest a whole model; they are recognised to give a clearer error. */
const NESTED_MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

/**
 * Looks up the rule for a Keras class name (aliases resolved).
 *
 * @throws {UnsupportedError} naming the layer (position, class, name) when the class is not in the table.
 * @example
 * lookupLayerRule('MaxPool2D', 'layers[2] (MaxPool2D \'p\')').className; // 'MaxPooling2D'
 */
export function lookupLayerRule(kerasClass: string, where: string): KerasLayerRule {
  const e = Object.prototype.hasOwnProperty.call(KERAS_CLASSES, kerasClass) ? KERAS_CLASSES[kerasClass] : undefined;
  if (e) return { ...e.rule, className: e.cls as ModelLayerClass };
  const rejected = Object.prototype.hasOwnProperty.call(REJECTED_KERAS_CLASSES, kerasClass) ? REJECTED_KERAS_CLASSES[kerasClass] : undefined;
  if (rejected) throw new UnsupportedError(where, rejected.replace('{cls}', kerasClass));
  if (NESTED_MODEL_CLASSES.has(kerasClass)) {
    throw new UnsupportedError(where, `nested models (a ${kerasClass} used as a layer) are not supported; flatten the model first`);
  }
  throw new UnsupportedError(where, `layer class ${kerasClass} is not supported (supported: ${Object.keys(KERAS_LAYER_TABLE).join(', ')})`);
}

/** Result of mapping one Keras layer config: the normalised layer without its weights. */
export interface MappedLayer {
  className: ModelLayerClass;
  attrs: LayerAttrs;
  outputShape: number[];
  /** Weights it must carry (Keras order); empty for weightless layers. */
  weightSpecs: WeightSpec[];
  /** Quantizers the config declares (QKeras layers). */
  quantizers?: LayerQuantizers;
  /** What hls4ml will do differently from the source framework (naming the layer). */
  warnings?: string[];
}

/**
 * Maps one Keras layer config (`class_name`, `config`) with known input shapes to normalised attrs,
 * output shape and expected weights.
 *
 * @throws {UnsupportedError} unsupported class / option; {@link FormatError} malformed config;
 *   ShapeError inputs that do not fit.
 * @example
 * const m = mapKerasLayer(
 *   new LayerConfigReader(1, 'Conv2D', 'c1', { filters: 4, kernel_size: [3, 3], padding: 'same', strides: [2, 2] }),
 *   [[8, 8, 1]],
 * );
 * m.outputShape; // [4, 4, 4]
 * m.weightSpecs; // [{name:'kernel', shape:[3,3,1,4]}, {name:'bias', shape:[4]}]
 */
export function mapKerasLayer(r: LayerConfigReader, inputShapes: number[][]): MappedLayer {
  const rule = lookupLayerRule(r.kerasClass, r.where);
  if (rule.arity === 'one' && inputShapes.length !== 1) {
    throw new FormatError(r.where, `${rule.className} takes exactly one input, got ${inputShapes.length}`);
  }
  if (rule.arity === 'many' && inputShapes.length < 2) {
    throw new FormatError(r.where, `${rule.className} needs at least two inputs, got ${inputShapes.length}`);
  }
  const attrs = rule.attrs(r);
  const outputShape = rule.outputShape(inputShapes, attrs, r);
  const weightSpecs = rule.weights ? rule.weights(attrs, inputShapes) : [];
  checkElements(r.where, 'output', outputShape);
  for (const w of weightSpecs) checkElements(r.where, w.name, w.shape);
  const m: MappedLayer = { className: rule.className, attrs, outputShape, weightSpecs };
  const q = rule.quantizers?.(r, attrs);
  if (q?.quantizers) m.quantizers = q.quantizers;
  if (q?.warnings?.length) m.warnings = q.warnings;
  return m;
}

/**
 * A tensor a model claims must stay within `limits().maxElements` values (checked on the shape
 * alone, before anything is allocated).
 *
 * @throws {ShapeError} naming the layer and the tensor.
 */
export function checkElements(where: string, what: string, shape: readonly number[]): void {
  const n = shape.reduce((p, d) => p * d, 1);
  const max = limits().maxElements;
  if (!(n <= max)) throw new ShapeError(`${where}.${what}`, `shape ${describeValue(shape)} holds ${n.toExponential(3)} values, more than the limit of ${max} (HLSEMU_MAX_ELEMENTS)`);
}
