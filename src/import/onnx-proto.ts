/**
 * ONNX protobuf decoding (and encoding, for tests and tools) with protobufjs reflection.
 * The schema is a hand-written subset of `onnx.proto` (same field numbers, same packing), holding only
 * what hlsemu reads: ModelProto, OperatorSetIdProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, TypeProto(.Tensor), TensorShapeProto(.Dimension). Unknown fields are
 * skipped by the decoder, so files written with the full schema decode fine. The decoded model is a
 * plain-object view ({@link OnnxModel}) with int64s as numbers and tensor payloads as Float64Arrays.
 */
import protobuf from 'protobufjs';
import { FormatError, UnsupportedError } from '../errors.js';

/** ONNX `TensorProto.DataType` codes hlsemu knows by name. */
export const ONNX_DTYPE = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
} as const;

/** ONNX `AttributeProto.AttributeType` codes. */
export const ONNX_ATTR = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
} as const;

const DTYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ONNX_DTYPE).map(([k, v]) => [v, k]));

/** Name of an ONNX data type code (`FLOAT`, `INT64`, …; `dtype 17` when unknown). @example onnxDtypeName(7) // 'INT64' */
export function onnxDtypeName(code: number): string {
  return DTYPE_NAMES[code] ?? `dtype ${code}`;
}

const packed = { packed: true };
/** protobufjs JSON descriptor: the subset of onnx.proto (proto2 syntax, field numbers of onnx 1.x). */
const ONNX_SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { type: 'int64', id: 1 },
            opset_import: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            producer_name: { type: 'string', id: 2 },
            producer_version: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            model_version: { type: 'int64', id: 5 },
            doc_string: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { type: 'string', id: 1 },
            version: { type: 'int64', id: 2 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            doc_string: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            value_info: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            op_type: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            doc_string: { type: 'string', id: 6 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            ref_attr_name: { type: 'string', id: 21 },
            doc_string: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            strings: { rule: 'repeated', type: 'bytes', id: 9 },
            tensors: { rule: 'repeated', type: 'TensorProto', id: 10 },
            graphs: { rule: 'repeated', type: 'GraphProto', id: 11 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            data_type: { type: 'int32', id: 2 },
            float_data: { rule: 'repeated', type: 'float', id: 4, options: packed },
            int32_data: { rule: 'repeated', type: 'int32', id: 5, options: packed },
            string_data: { rule: 'repeated', type: 'bytes', id: 6 },
            int64_data: { rule: 'repeated', type: 'int64', id: 7, options: packed },
            name: { type: 'string', id: 8 },
            doc_string: { type: 'string', id: 12 },
            raw_data: { type: 'bytes', id: 9 },
            data_location: { type: 'int32', id: 14 },
            double_data: { rule: 'repeated', type: 'double', id: 10, options: packed },
            uint64_data: { rule: 'repeated', type: 'uint64', id: 11, options: packed },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            doc_string: { type: 'string', id: 3 },
          },
        },
        TypeProto: {
          fields: {
            tensor_type: { type: 'TypeProtoTensor', id: 1 },
            denotation: { type: 'string', id: 6 },
          },
        },
        TypeProtoTensor: {
          fields: {
            elem_type: { type: 'int32', id: 1 },
            shape: { type: 'TensorShapeProto', id: 2 },
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { rule: 'repeated', type: 'TensorShapeDimension', id: 1 },
          },
        },
        TensorShapeDimension: {
          fields: {
            dim_value: { type: 'int64', id: 1 },
            dim_param: { type: 'string', id: 2 },
            denotation: { type: 'string', id: 3 },
          },
        },
      },
    },
  },
};

let modelType: protobuf.Type | undefined;
/** The protobufjs `onnx.ModelProto` type (built once from the embedded schema). @example onnxModelProtoType().decode(bytes) */
export function onnxModelProtoType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto');
  return modelType;
}

// ---------------------------------------------------------------------------------------------------
// Decoded (plain) view

/** A decoded ONNX tensor; every element type is widened to float64 (int64 beyond 2^53 loses precision). */
export interface OnnxTensor {
  name: string;
  /** ONNX data type code ({@link ONNX_DTYPE}). */
  dataType: number;
  dims: number[];
  data: Float64Array;
}

/** A decoded node attribute (only the member matching `type` is set). */
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
  strings?: string[];
}

/** A decoded graph node. */
export interface OnnxNode {
  /** Position in `graph.node`. */
  index: number;
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

/** A graph input / output / value_info entry. Dimensions: a number, a symbolic name, or null (unknown). */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape?: (number | string | null)[];
}

/** A decoded graph. */
export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
}

/** A decoded model. */
export interface OnnxModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** Opset version by domain ('' = the default ai.onnx domain). */
  opsets: Map<string, number>;
  graph: OnnxGraph;
}

type Rec = Record<string, unknown>;

/** int64 / uint64 as produced by protobufjs (number, Long, or string) → number. */
function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const l = v as { low: number; high: number; unsigned?: boolean; toNumber?: () => number };
    if (typeof l.toNumber === 'function') return l.toNumber();
    return l.high * 4294967296 + (l.low >>> 0);
  }
  return 0;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

const utf8 = new TextDecoder('utf-8');
function bytesToString(v: unknown): string {
  if (v instanceof Uint8Array) return utf8.decode(v);
  return typeof v === 'string' ? v : '';
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Element byte sizes for raw_data. */
const RAW_SIZE: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8 };

function decodeRaw(raw: Uint8Array, dtype: number, count: number, path: string): Float64Array {
  const size = RAW_SIZE[dtype];
  if (size === undefined) throw new UnsupportedError(path, `tensor data type ${onnxDtypeName(dtype)} is not supported`);
  if (raw.length !== count * size) {
    throw new FormatError(path, `raw_data has ${raw.length} bytes, expected ${count * size} (${count} × ${onnxDtypeName(dtype)})`);
  }
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const o = k * size;
    switch (dtype) {
      case 1: out[k] = dv.getFloat32(o, true); break;
      case 2: out[k] = dv.getUint8(o); break;
      case 3: out[k] = dv.getInt8(o); break;
      case 4: out[k] = dv.getUint16(o, true); break;
      case 5: out[k] = dv.getInt16(o, true); break;
      case 6: out[k] = dv.getInt32(o, true); break;
      case 7: out[k] = Number(dv.getBigInt64(o, true)); break;
      case 9: out[k] = dv.getUint8(o) ? 1 : 0; break;
      case 10: out[k] = halfToFloat(dv.getUint16(o, true)); break;
      case 11: out[k] = dv.getFloat64(o, true); break;
      case 12: out[k] = dv.getUint32(o, true); break;
      case 13: out[k] = Number(dv.getBigUint64(o, true)); break;
    }
  }
  return out;
}

function decodeTensor(t: Rec, path: string): OnnxTensor {
  const name = str(t['name']);
  const where = name ? `${path} '${name}'` : path;
  const dims = arr(t['dims']).map(num);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new FormatError(where, `invalid dims [${dims.join(', ')}]`);
  const dataType = num(t['data_type']);
  if (num(t['data_location']) === 1) throw new UnsupportedError(where, 'tensors stored in external data files are not supported');
  const count = dims.reduce((p, d) => p * d, 1);
  let data: Float64Array;
  const raw = t['raw_data'];
  if (raw instanceof Uint8Array && raw.length > 0) {
    data = decodeRaw(raw, dataType, count, where);
  } else {
    let src: unknown[];
    switch (dataType) {
      case 1:
        src = arr(t['float_data']);
        break;
      case 11:
        src = arr(t['double_data']);
        break;
      case 7:
        src = arr(t['int64_data']);
        break;
      case 12:
      case 13:
        src = arr(t['uint64_data']);
        break;
      case 2: case 3: case 4: case 5: case 6: case 9:
        src = arr(t['int32_data']);
        break;
      case 10:
        src = arr(t['int32_data']).map((h) => halfToFloat(num(h)));
        break;
      default:
        throw new UnsupportedError(where, `tensor data type ${onnxDtypeName(dataType)} is not supported`);
    }
    if (src.length !== count) {
      throw new FormatError(where, `tensor holds ${src.length} values, dims [${dims.join(', ')}] need ${count}`);
    }
    data = Float64Array.from(src, num);
  }
  return { name, dataType, dims, data };
}

function decodeAttribute(a: Rec, path: string): OnnxAttribute {
  const name = str(a['name']);
  let type = num(a['type']);
  const where = `${path}.${name || '?'}`;
  if (!name) throw new FormatError(path, 'attribute without a name');
  if (type === 0) {
    // Files from before IR v2 have no type: infer it from the member that is set.
    if (a['t']) type = ONNX_ATTR.TENSOR;
    else if (arr(a['ints']).length) type = ONNX_ATTR.INTS;
    else if (arr(a['floats']).length) type = ONNX_ATTR.FLOATS;
    else if (arr(a['strings']).length) type = ONNX_ATTR.STRINGS;
    else if (a['s'] instanceof Uint8Array && (a['s'] as Uint8Array).length) type = ONNX_ATTR.STRING;
    else if (a['f'] !== undefined && num(a['f']) !== 0) type = ONNX_ATTR.FLOAT;
    else type = ONNX_ATTR.INT;
  }
  const out: OnnxAttribute = { name, type };
  switch (type) {
    case ONNX_ATTR.FLOAT: out.f = num(a['f']); break;
    case ONNX_ATTR.INT: out.i = num(a['i']); break;
    case ONNX_ATTR.STRING: out.s = bytesToString(a['s']); break;
    case ONNX_ATTR.TENSOR:
      if (!a['t']) throw new FormatError(where, 'TENSOR attribute without a tensor');
      out.t = decodeTensor(a['t'] as Rec, where);
      break;
    case ONNX_ATTR.FLOATS: out.floats = arr(a['floats']).map(num); break;
    case ONNX_ATTR.INTS: out.ints = arr(a['ints']).map(num); break;
    case ONNX_ATTR.STRINGS: out.strings = arr(a['strings']).map(bytesToString); break;
    default:
      // graphs, sparse tensors, type protos: kept as a typed stub; ops that need them reject the node.
      break;
  }
  return out;
}

function decodeValueInfo(v: Rec): OnnxValueInfo {
  const name = str(v['name']);
  const tt = (v['type'] as Rec | undefined)?.['tensor_type'] as Rec | undefined;
  const out: OnnxValueInfo = { name, elemType: tt ? num(tt['elem_type']) : 0 };
  const shape = tt?.['shape'] as Rec | undefined;
  if (shape) {
    out.shape = arr(shape['dim']).map((d) => {
      const r = d as Rec;
      if (r['dim_value'] !== undefined && r['dim_value'] !== null) return num(r['dim_value']);
      if (typeof r['dim_param'] === 'string' && r['dim_param'] !== '') return r['dim_param'];
      return null;
    });
  }
  return out;
}

function decodeGraph(g: Rec, path: string): OnnxGraph {
  const nodes = arr(g['node']).map((n, index): OnnxNode => {
    const r = n as Rec;
    const opType = str(r['op_type']);
    const name = str(r['name']);
    const where = `${path}.node[${index}] (${opType || '?'}${name ? ` '${name}'` : ''})`;
    if (!opType) throw new FormatError(where, 'node without op_type');
    const attributes = new Map<string, OnnxAttribute>();
    for (const a of arr(r['attribute'])) {
      const at = decodeAttribute(a as Rec, where);
      attributes.set(at.name, at);
    }
    return {
      index,
      name,
      opType,
      domain: str(r['domain']),
      inputs: arr(r['input']).map(str),
      outputs: arr(r['output']).map(str),
      attributes,
    };
  });
  const initializers = new Map<string, OnnxTensor>();
  arr(g['initializer']).forEach((t, k) => {
    const tensor = decodeTensor(t as Rec, `${path}.initializer[${k}]`);
    if (!tensor.name) throw new FormatError(`${path}.initializer[${k}]`, 'initializer without a name');
    initializers.set(tensor.name, tensor);
  });
  return {
    name: str(g['name']),
    nodes,
    initializers,
    inputs: arr(g['input']).map((v) => decodeValueInfo(v as Rec)),
    outputs: arr(g['output']).map((v) => decodeValueInfo(v as Rec)),
    valueInfo: arr(g['value_info']).map((v) => decodeValueInfo(v as Rec)),
  };
}

/**
 * Decodes an ONNX `ModelProto` from its serialised bytes.
 *
 * @throws {FormatError} when the bytes are not a protobuf ModelProto or the model has no graph /
 *   inconsistent tensors; {@link UnsupportedError} for external-data tensors or exotic element types.
 * @example
 * const m = decodeOnnxModel(readFileSync('model.onnx'), 'model.onnx');
 * m.graph.nodes.map((n) => n.opType); // ['Gemm', 'Relu', …]
 */
export function decodeOnnxModel(bytes: Uint8Array, source = 'model.onnx'): OnnxModel {
  if (!(bytes instanceof Uint8Array)) throw new FormatError(source, 'expected the bytes of an .onnx file');
  if (bytes.length === 0) throw new FormatError(source, 'empty file');
  const T = onnxModelProtoType();
  let msg: Rec;
  try {
    msg = T.toObject(T.decode(bytes), { longs: Number, defaults: false, arrays: true }) as Rec;
  } catch (e) {
    throw new FormatError(source, `not an ONNX model (protobuf decoding failed: ${(e as Error).message})`);
  }
  const g = msg['graph'] as Rec | undefined;
  if (!g) throw new FormatError(source, 'not an ONNX model (no graph)');
  const opsets = new Map<string, number>();
  for (const o of arr(msg['opset_import'])) {
    const r = o as Rec;
    const d = str(r['domain']);
    opsets.set(d === 'ai.onnx' ? '' : d, num(r['version']));
  }
  const graph = decodeGraph(g, source);
  if (graph.nodes.length === 0 && graph.outputs.length === 0) throw new FormatError(source, 'not an ONNX model (empty graph)');
  return {
    irVersion: num(msg['ir_version']),
    producerName: str(msg['producer_name']),
    producerVersion: str(msg['producer_version']),
    opsets,
    graph,
  };
}

// ---------------------------------------------------------------------------------------------------
// Encoding (tests and tools build small ONNX files with this)

/** A tensor to encode: float32 by default; `dataType` INT64/INT32/DOUBLE also accepted. */
export interface OnnxTensorSpec {
  name?: string;
  dims: number[];
  data: ArrayLike<number>;
  dataType?: number;
  /** Store the payload in `raw_data` (little-endian) instead of the typed repeated field. */
  raw?: boolean;
}

/** An attribute value: number → INT when integral (unless `floatAttrs` names it), number[] → INTS/FLOATS, string, tensor. */
export type OnnxAttrValue = number | number[] | string | string[] | OnnxTensorSpec | { float: number } | { floats: number[] };

/** A node to encode. */
export interface OnnxNodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, OnnxAttrValue>;
}

/** A value_info to encode: shape dims may be numbers, symbolic names or null. */
export interface OnnxValueSpec {
  name: string;
  shape?: (number | string | null)[];
  elemType?: number;
}

/** A model to encode. */
export interface OnnxModelSpec {
  name?: string;
  nodes: OnnxNodeSpec[];
  inputs: OnnxValueSpec[];
  outputs: OnnxValueSpec[];
  initializers?: (OnnxTensorSpec & { name: string })[];
  valueInfo?: OnnxValueSpec[];
  /** Default-domain opset (13 unless given). */
  opset?: number;
  /** Extra opset imports by domain. */
  extraOpsets?: Record<string, number>;
  producerName?: string;
}

function tensorToProto(t: OnnxTensorSpec): Rec {
  const dataType = t.dataType ?? ONNX_DTYPE.FLOAT;
  const out: Rec = { dims: t.dims, data_type: dataType };
  if (t.name) out['name'] = t.name;
  const values = Array.from(t.data);
  if (t.raw) {
    const size = RAW_SIZE[dataType];
    if (!size) throw new UnsupportedError(t.name ?? 'tensor', `cannot encode ${onnxDtypeName(dataType)} as raw_data`);
    const buf = new Uint8Array(values.length * size);
    const dv = new DataView(buf.buffer);
    values.forEach((v, k) => {
      const o = k * size;
      if (dataType === 1) dv.setFloat32(o, v, true);
      else if (dataType === 11) dv.setFloat64(o, v, true);
      else if (dataType === 7) dv.setBigInt64(o, BigInt(Math.trunc(v)), true);
      else if (dataType === 6) dv.setInt32(o, v, true);
      else if (dataType === 3) dv.setInt8(o, v);
      else if (dataType === 2 || dataType === 9) dv.setUint8(o, v);
      else throw new UnsupportedError(t.name ?? 'tensor', `cannot encode ${onnxDtypeName(dataType)} as raw_data`);
    });
    out['raw_data'] = buf;
  } else if (dataType === 1) out['float_data'] = values;
  else if (dataType === 11) out['double_data'] = values;
  else if (dataType === 7) out['int64_data'] = values;
  else out['int32_data'] = values;
  return out;
}

function attrToProto(name: string, v: OnnxAttrValue): Rec {
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: ONNX_ATTR.INT, i: v } : { name, type: ONNX_ATTR.FLOAT, f: v };
  }
  if (typeof v === 'string') return { name, type: ONNX_ATTR.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'string') {
      return { name, type: ONNX_ATTR.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    }
    const nums = v as number[];
    return nums.every((x) => Number.isInteger(x)) ? { name, type: ONNX_ATTR.INTS, ints: nums } : { name, type: ONNX_ATTR.FLOATS, floats: nums };
  }
  if ('float' in v) return { name, type: ONNX_ATTR.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: ONNX_ATTR.FLOATS, floats: v.floats };
  return { name, type: ONNX_ATTR.TENSOR, t: tensorToProto(v) };
}

function valueToProto(v: OnnxValueSpec): Rec {
  const tensor: Rec = { elem_type: v.elemType ?? ONNX_DTYPE.FLOAT };
  if (v.shape) {
    tensor['shape'] = {
      dim: v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : typeof d === 'string' ? { dim_param: d } : {})),
    };
  }
  return { name: v.name, type: { tensor_type: tensor } };
}

/**
 * Encodes a small ONNX model (tests, tools). Attribute numbers that are integral become INT; pass
 * `{ float: 1 }` to force FLOAT.
 *
 * @example
 * const bytes = encodeOnnxModel({
 *   inputs: [{ name: 'x', shape: ['N', 4] }],
 *   outputs: [{ name: 'y', shape: ['N', 4] }],
 *   nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'], name: 'relu0' }],
 * });
 */
export function encodeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const opset = [{ domain: '', version: spec.opset ?? 13 }];
  for (const [domain, version] of Object.entries(spec.extraOpsets ?? {})) opset.push({ domain, version });
  const model = {
    ir_version: 8,
    producer_name: spec.producerName ?? 'hlsemu',
    opset_import: opset,
    graph: {
      name: spec.name ?? 'graph',
      node: spec.nodes.map((n, k) => ({
        name: n.name ?? `${n.opType}_${k}`,
        op_type: n.opType,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([name, v]) => attrToProto(name, v)),
      })),
      initializer: (spec.initializers ?? []).map(tensorToProto),
      input: spec.inputs.map(valueToProto),
      output: spec.outputs.map(valueToProto),
      value_info: (spec.valueInfo ?? []).map(valueToProto),
    },
  };
  const T = onnxModelProtoType();
  const err = T.verify(model);
  if (err) throw new FormatError(spec.name ?? 'model', `cannot encode ONNX model: ${err}`);
  return T.encode(T.fromObject(model)).finish();
}
