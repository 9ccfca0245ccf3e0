/**
 * Model inputs in the shapes users have (ndarray, nested arrays, a flat typed array + shape),
 * normalised to one flat Float64Array batch, and cast into the firmware's input type the way
 * hls4ml's generated code does (`input_t(x)`, i.e. the type's own Q/O modes — floor and wrap for
 * the default types), with an explicit NaN/Inf policy.
 */
import type { NdArray } from 'ndarray';
import { ShapeError, ValueError, describeValue } from '../errors.js';
import { quantizeArray, type CastStats } from '../fixed/quantize.js';
import type { NonFinitePolicy } from '../fixed/double.js';
import type { FixedType } from '../fixed/types.js';
import { shapeSize } from '../graph/firmware.js';

/** A batch of float inputs: flat row-major data with N samples of `sampleShape`. */
export interface FloatBatch {
  data: Float64Array;
  n: number;
  sampleShape: number[];
}

/** Anything {@link toBatch} accepts. */
export type InputLike =
  | NdArray
  | { data: ArrayLike<number>; shape: number[] }
  | ArrayLike<number>
  | unknown[];

function isNdArray(x: unknown): x is NdArray {
  return !!x && typeof x === 'object' && 'stride' in x && 'shape' in x && 'data' in x && typeof (x as NdArray).get === 'function';
}

function flattenNested(x: unknown, out: number[], shape: number[], depth: number, path: string): void {
  if (Array.isArray(x)) {
    if (shape.length <= depth) shape.push(x.length);
    else if (shape[depth] !== x.length) throw new ShapeError(path, `ragged nested array: expected length ${shape[depth]}, got ${x.length}`);
    x.forEach((v, i) => flattenNested(v, out, shape, depth + 1, `${path}[${i}]`));
  } else if (typeof x === 'number') {
    if (shape.length !== depth) throw new ShapeError(path, 'ragged nested array: number where an array was expected');
    out.push(x);
  } else throw new ValueError(path, `expected a number, got ${describeValue(x)}`);
}

/**
 * Normalise inputs to a batch for a model whose input shape is `sampleShape`. A single sample
 * (shape = sampleShape) is accepted as a batch of one.
 *
 * @example
 * toBatch([[0.1, 0.2, 0.3, 0.4]], [4]);                   // n = 1
 * toBatch({ data: new Float32Array(8), shape: [2, 4] }, [4]); // n = 2
 */
export function toBatch(x: InputLike, sampleShape: number[], field = 'inputs'): FloatBatch {
  const per = shapeSize(sampleShape);
  let data: Float64Array;
  let shape: number[];
  if (isNdArray(x)) {
    shape = [...x.shape];
    data = new Float64Array(shapeSize(shape));
    const idx = new Array(shape.length).fill(0);
    for (let k = 0; k < data.length; k++) {
      data[k] = x.get(...idx);
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]!) break;
        idx[d] = 0;
      }
    }
  } else if (x && typeof x === 'object' && !Array.isArray(x) && 'shape' in x && 'data' in x) {
    const o = x as { data: ArrayLike<number>; shape: number[] };
    shape = [...o.shape];
    if (shapeSize(shape) !== o.data.length) throw new ShapeError(`${field}.shape`, `shape ${describeValue(shape)} has ${shapeSize(shape)} elements but data has ${o.data.length}`);
    data = ArrayBuffer.isView(o.data) ? new Float64Array(o.data as ArrayLike<number>) : Float64Array.from(o.data);
  } else if (Array.isArray(x)) {
    const flat: number[] = [];
    shape = [];
    flattenNested(x, flat, shape, 0, field);
    data = Float64Array.from(flat);
  } else if (x && typeof (x as ArrayLike<number>).length === 'number') {
    data = Float64Array.from(x as ArrayLike<number>);
    shape = [data.length];
  } else throw new ValueError(field, 'expected an ndarray, nested arrays, or { data, shape }');
  const tail = shape.slice(-sampleShape.length);
  const sameTail = tail.length === sampleShape.length && tail.every((d, i) => d === sampleShape[i]);
  if (shape.length === sampleShape.length && sameTail) return { data, n: 1, sampleShape };
  if (shape.length === sampleShape.length + 1 && sameTail) return { data, n: shape[0]!, sampleShape };
  if (data.length % per === 0 && shape.length === 2 && shape[1] === per) return { data, n: shape[0]!, sampleShape };
  if (shape.length === 1 && data.length % per === 0) return { data, n: data.length / per, sampleShape };
  throw new ShapeError(`${field}.shape`, `input shape ${describeValue(shape)} does not match the model input ${describeValue(sampleShape)} (with or without a batch axis)`);
}

/**
 * Cast a float batch into the input type (as the firmware's `input_t(x)`). NaN/±Inf throw unless
 * `policy` is `'hls'`.
 *
 * @example const raw = castInputs(batch, parseFixedType('ap_fixed<16,6>'));
 */
export function castInputs(b: FloatBatch, t: FixedType, policy: NonFinitePolicy = 'error', stats?: CastStats, field = 'inputs'): Float64Array {
  try {
    return quantizeArray(b.data, t, undefined, stats, policy);
  } catch (e) {
    if (e instanceof ValueError) {
      const m = /x\[(\d+)\]/.exec(e.path);
      if (m) {
        const k = Number(m[1]);
        const per = shapeSize(b.sampleShape);
        throw new ValueError(`${field}[${Math.floor(k / per)}][${k % per}]`, e.message.replace(/^x\[\d+\]: /, ''));
      }
    }
    throw e;
  }
}
