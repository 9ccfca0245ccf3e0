/**
 * THE layer registry: one line per layer module. Every class list, lookup table and union type of
 * the pipeline is derived from {@link LAYER_MODULES}; nothing else enumerates layer classes.
 * docs/adding-a-layer.md says how to add a kind.
 */
import { FormatError, UnsupportedError } from '../errors.js';
import type { KernelChecker } from '../conformance/kernel-case.js';
import { activationModule } from './activation.js';
import { applyAlphaModule } from './apply-alpha.js';
import { bnQuantizedTanhModule } from './bn-quantized-tanh.js';
import { qkerasModule } from './qkeras.js';
import { batchnormModule } from './batchnorm.js';
import { convModule } from './conv.js';
import { denseModule } from './dense.js';
import { depthwiseModule } from './depthwise.js';
import { einsumModule } from './einsum.js';
import { inputModule } from './input.js';
import { layernormModule } from './layernorm.js';
import { mergeModule } from './merge.js';
import { poolingModule } from './pooling.js';
import { recurrentModule } from './recurrent.js';
import { reshapeModule } from './reshape.js';
import { softmaxModule } from './softmax.js';
import type { FirmwareClassSpec, HlsClassSpec, KerasRule, LayerModule, ModelClassSpec } from './spec.js';
import { zeropadModule } from './zeropad.js';
import { resizeModule } from './resize.js';
import { croppingModule } from './cropping.js';
import { transposeModule } from './transpose.js';
import { embeddingModule } from './embed.js';

/** Every layer module, in documentation order. */
export const LAYER_MODULES = [
  inputModule,
  denseModule,
  convModule,
  depthwiseModule,
  poolingModule,
  batchnormModule,
  applyAlphaModule,
  bnQuantizedTanhModule,
  activationModule,
  softmaxModule,
  reshapeModule,
  zeropadModule,
  mergeModule,
  recurrentModule,
  layernormModule,
  einsumModule,
  resizeModule,
  croppingModule,
  transposeModule,
  embeddingModule,
  qkerasModule,
] as const satisfies readonly LayerModule[];

type Module = (typeof LAYER_MODULES)[number];
type KeysOf<M, P extends string> = M extends { readonly [K in P]: infer R } ? Extract<keyof R, string> : never;
type LayerOfSpec<S> = S extends FirmwareClassSpec<infer L> ? L : never;
type FirmwareLayers<M> = M extends { readonly firmware: infer F } ? { [K in keyof F]: LayerOfSpec<F[K]> }[keyof F] : never;

/** Keras-vocabulary classes of `ModelLayer.className`. */
export type ModelLayerClassOf = KeysOf<Module, 'model'>;
/** hls4ml layer classes of the working graph. */
export type HlsClassOf = KeysOf<Module, 'hls'>;
/** Firmware layer classes. */
export type FirmwareLayerClassOf = KeysOf<Module, 'firmware'>;
/** The union of every firmware class's typed layer. */
export type FirmwareLayerOf = FirmwareLayers<Module>;

function merged<T>(part: (m: LayerModule) => Readonly<Record<string, T>> | undefined, what: string): Readonly<Record<string, T>> {
  const out: Record<string, T> = {};
  for (const m of LAYER_MODULES as readonly LayerModule[]) {
    for (const [k, v] of Object.entries(part(m) ?? {})) {
      if (Object.prototype.hasOwnProperty.call(out, k)) throw new Error(`layer registry: ${what} '${k}' is declared twice (module ${m.kind})`);
      out[k] = v;
    }
  }
  return Object.freeze(out);
}

/** Model-class specs by Keras class name. */
export const MODEL_CLASSES: Readonly<Record<string, ModelClassSpec>> = merged((m) => m.model, 'model class');
/** hls4ml-class specs. */
export const HLS_CLASSES: Readonly<Record<string, HlsClassSpec>> = merged((m) => m.hls, 'hls4ml class');
/** Firmware-class specs. */
export const FIRMWARE_CLASSES: Readonly<Record<string, FirmwareClassSpec<never>>> = merged((m) => m.firmware, 'firmware class') as Readonly<Record<string, FirmwareClassSpec<never>>>;
/** Checkers of the kernel reference-vector kinds. */
export const LAYER_KERNEL_CHECKERS: Readonly<Record<string, KernelChecker>> = merged((m) => m.kernels, 'kernel kind');

/** Keras classes recognised but not converted, with the reason (`{cls}`: the class name). */
export const REJECTED_KERAS_CLASSES: Readonly<Record<string, string>> = merged((m) => m.rejects, 'rejected Keras class');

/** The model classes, as a list. */
export const MODEL_LAYER_CLASSES = Object.keys(MODEL_CLASSES) as ModelLayerClassOf[];
/** The firmware classes, as a list. */
export const FIRMWARE_LAYER_CLASSES = Object.keys(FIRMWARE_CLASSES) as FirmwareLayerClassOf[];

/** Keras / tfjs class names (aliases included) → model class. */
export const KERAS_CLASSES: Readonly<Record<string, { cls: string; rule: KerasRule }>> = (() => {
  const out: Record<string, { cls: string; rule: KerasRule }> = {};
  for (const [cls, spec] of Object.entries(MODEL_CLASSES)) {
    if (!spec.keras) continue;
    for (const name of [cls, ...(spec.keras.aliases ?? [])]) out[name] = { cls, rule: spec.keras };
  }
  return Object.freeze(out);
})();

const own = <T>(rec: Readonly<Record<string, T>>, k: string): T | undefined => (Object.prototype.hasOwnProperty.call(rec, k) ? rec[k] : undefined);

/**
 * The spec of a model class.
 *
 * @throws {UnsupportedError} naming `where` for classes no module handles.
 * @example modelClass('Dense', 'layers[1]').hlsClass
 */
export function modelClass(cls: string, where: string): ModelClassSpec {
  const s = own(MODEL_CLASSES, cls);
  if (!s) throw new UnsupportedError(where, `layer class ${cls} is not supported (supported: ${MODEL_LAYER_CLASSES.join(', ')})`);
  return s;
}

/** The spec of an hls4ml class. @example hlsClass('Dense', 'dense1').types */
export function hlsClass(cls: string, where: string): HlsClassSpec {
  const s = own(HLS_CLASSES, cls);
  if (!s) throw new UnsupportedError(where, `hls4ml layer class ${cls} is not supported (supported: ${Object.keys(HLS_CLASSES).join(', ')})`);
  return s;
}

/** The spec of a firmware class. @example firmwareClass('Conv2D', 'conv1').reference */
export function firmwareClass(cls: string, where: string): FirmwareClassSpec<never> {
  const s = own(FIRMWARE_CLASSES, cls);
  if (!s) throw new UnsupportedError(where, `firmware layer class '${cls}' is not supported (known: ${FIRMWARE_LAYER_CLASSES.join(', ')})`);
  return s;
}
