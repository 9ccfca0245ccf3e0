/**
 * Test helper: builds small ONNX graphs (encoded with protobufjs through encodeOnnxModel) with
 * seeded random initializers.
 */
import { encodeOnnxModel, ONNX_DTYPE, type OnnxAttrValue, type OnnxNodeSpec, type OnnxTensorSpec, type OnnxValueSpec } from '../../src/import/onnx-proto.js';
import { rng } from './compare.js';

export class GraphBuilder {
  readonly nodes: OnnxNodeSpec[] = [];
  readonly inits: (OnnxTensorSpec & { name: string })[] = [];
  readonly inputs: OnnxValueSpec[] = [];
  private readonly rand: () => number;
  private k = 0;

  constructor(seed = 7) {
    this.rand = rng(seed);
  }

  /** Adds a graph input with ONNX shape (batch first: 'N'). */
  input(name: string, shape: (number | string)[]): string {
    this.inputs.push({ name, shape });
    return name;
  }

  /** Adds a float initializer; random in [-1, 1] unless data is given. */
  init(name: string, dims: number[], data?: ArrayLike<number>, dataType: number = ONNX_DTYPE.FLOAT): string {
    const n = dims.reduce((p, d) => p * d, 1);
    const d = data ?? Array.from({ length: n }, () => Math.fround(this.rand() * 2 - 1));
    this.inits.push({ name, dims, data: d, dataType, raw: this.inits.length % 2 === 1 });
    return name;
  }

  /** INT64 initializer (shapes, axes, pads). */
  ints(name: string, data: number[]): string {
    return this.init(name, [data.length], data, ONNX_DTYPE.INT64);
  }

  /** Scalar float initializer. */
  scalar(name: string, v: number): string {
    return this.init(name, [], [v]);
  }

  /** Adds a node; returns its (first) output name. */
  node(opType: string, inputs: string[], attrs: Record<string, OnnxAttrValue> = {}, opts: { name?: string; domain?: string; outputs?: string[] } = {}): string {
    const idx = this.k++;
    const outputs = opts.outputs ?? [`${opType.toLowerCase()}_${idx}_out`];
    this.nodes.push({ opType, inputs, outputs, attrs, name: opts.name ?? `${opType}_${idx}`, domain: opts.domain });
    return outputs[0]!;
  }

  /** Encodes the model with the given graph outputs. */
  bytes(outputs: string[], opset = 13, extraOpsets?: Record<string, number>): Uint8Array {
    return encodeOnnxModel({
      name: 'test',
      nodes: this.nodes,
      inputs: this.inputs,
      outputs: outputs.map((name) => ({ name })),
      initializers: this.inits,
      opset,
      extraOpsets,
    });
  }
}
