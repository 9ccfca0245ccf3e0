/**
 * What every layer emitter produces and the helpers they share: the tensor and array descriptions
 * the project writer consumes, config-struct building, and the typed-argument rule of the top
 * function. Each firmware class's emitter lives in its layer module (src/layers) and writes the
 * kernel call of hlsemu's own C++ kernels (src/emit/cpp); project.ts assembles the project.
 */
import { ShapeError } from '../errors.js';
import { formatFixedType, sameType, type FixedType } from '../fixed/index.js';
import { shapeSize, type FirmwareLayerBase, type IOType } from '../graph/firmware.js';
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

/** One of hlsemu's C++ kernel headers (`firmware/hlsemu/<file>`), with the headers it includes. */
export interface CppHeader {
  file: string;
  text: string;
  needs?: readonly CppHeader[];
}

/** Everything the project writer needs for one layer. */
export interface LayerCode {
  layer: FirmwareLayerBase<string, object, 'result'>;
  cname: string;
  /** Kernel-internal typedefs (accum, weight, table …), written to defines.h. */
  typedefs: Array<[string, FixedType]>;
  /** Config structs (and out-of-class definitions), written to parameters.h. */
  structs: string[];
  arrays: WeightArray[];
  /** The kernel headers its call needs (their own includes come along). */
  headers: readonly CppHeader[];
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

/** A config struct of static members (and out-of-class array definitions), as the C++ kernels read them. */
export class Struct {
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

/** A shape the C++ needs must equal the layer's. @example checkShape(L, 'shapeOut', L.shapeOut, [4, 4, 8]) */
export function checkShape(L: FirmwareLayerBase, what: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((d, k) => d !== want[k])) {
    throw new ShapeError(`${L.name}.${what}`, `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
}

/** The config struct of a dense core (Dense, and the per-pixel product of convolutions). */
export function denseStruct(name: string, comment: string, c: string, nIn: number, nOut: number, strategy: string, rf: number, zeros: number): Struct {
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
/** Kernel template argument of a tensor: element type (io_parallel) or stream word type (io_stream). */
export function tArg(io: IOType, t: TensorInfo): string {
  return io === 'io_stream' ? t.wordType : t.elemType;
}

/** Warn when a layer's declared input type differs from its producer's output type (the C++ uses the producer's). */
export function warnInputType(ctx: LayerContext, L: FirmwareLayerBase, key: string, t: TensorInfo): void {
  const declared = (L.types as Record<string, FixedType | undefined>)[key];
  if (declared && !sameType(declared, t.type)) {
    ctx.warnings.push(`${L.name}: types.${key} is ${formatFixedType(declared)} but its producer '${t.name}' outputs ${formatFixedType(t.type)}; the C++ uses the producer's type`);
  }
}

