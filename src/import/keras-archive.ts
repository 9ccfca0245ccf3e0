/**
 * Keras 3 `.keras` archives: a ZIP holding `config.json` (the serialised model), `metadata.json`
 * (`keras_version`, `date_saved`), `model.weights.h5` (the variables) and possibly `assets/…`.
 *
 * The ZIP is read here from its central directory (sizes, CRC-32, method), not from the local
 * headers alone, and every entry is checked before anything is inflated: only stored (0) and
 * deflated (8) entries, no encryption, no ZIP64, no duplicate or unexpected names, and declared
 * sizes under caps. Deflated data is inflated with fflate in small steps into a buffer of the
 * declared size, stopping as soon as it would overflow, so an entry that inflates to more (a zip
 * bomb with a lying header) is caught without allocating more than the cap; the CRC-32 is then verified.
 *
 * {@link readKeras3Weights} lists the variable groups of `model.weights.h5` (Keras 3 layout:
 * `<path>/vars/<i>`, e.g. `layers/dense/vars/0` = kernel, `…/1` = bias; see the QKeras / Keras 3
 * notes in the docs for the full mapping).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, tmpdir, writeFileSync } from '../platform/fs.js';
import { basename, extname, join } from '../platform/path.js';
import { platform } from '../platform/index.js';
import { Inflate } from 'fflate';
import { FormatError, UnsupportedError } from '../errors.js';
import type { ModelGraph } from '../graph/model.js';
import { assembleModelGraph, parseKerasTopology } from './topology.js';

/** Caps applied while reading an archive. All sizes in bytes. */
export interface KerasArchiveLimits {
  /** Largest archive file {@link loadKerasArchive} reads. Default 2 GiB − 1. */
  maxArchiveBytes?: number;
  /** Largest decompressed `config.json` / `metadata.json`. Default 64 MiB. */
  maxJsonBytes?: number;
  /** Largest decompressed `model.weights.h5`. Default 1 GiB. */
  maxWeightsBytes?: number;
  /** Largest number of entries (assets included). Default 10,000. */
  maxEntries?: number;
}

const DEFAULTS: Required<KerasArchiveLimits> = {
  maxArchiveBytes: 2 ** 31 - 1,
  maxJsonBytes: 64 * 2 ** 20,
  maxWeightsBytes: 2 ** 30,
  maxEntries: 10_000,
};

/** The contents of a `.keras` archive. */
export interface KerasArchive {
  /** `config.json`: `{module, class_name, config, registered_name, build_config, compile_config}`. */
  config: Record<string, unknown>;
  /** `metadata.json` (`keras_version`, `date_saved`), or null when the archive has none. */
  metadata: Record<string, unknown> | null;
  /** `metadata.keras_version` when present. */
  kerasVersion: string | undefined;
  /** The bytes of `model.weights.h5` (an HDF5 file). */
  weights: Uint8Array;
  /** Names of `assets/…` entries (listed, not extracted: no layer hlsemu supports keeps assets). */
  assets: string[];
}

interface CdEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  localOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_CD = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as ZIP uses). @example crc32(new TextEncoder().encode('123456789')) // 0xcbf43926 */
export function crc32(data: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function decodeName(raw: Uint8Array, utf8: boolean, where: string): string {
  if (!utf8) {
    for (const c of raw) if (c >= 0x80) throw new FormatError(where, 'entry name is not ASCII and not flagged UTF-8');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new FormatError(where, 'entry name is not valid UTF-8');
  }
}

/** Parses the central directory (and checks the end record) of a ZIP held in memory. */
function centralDirectory(buf: Uint8Array, src: string, maxEntries: number): CdEntry[] {
  if (buf.length < 22) throw new FormatError(src, 'not a ZIP archive (too short)');
  let eocd = -1;
  const lowest = Math.max(0, buf.length - 22 - 0xffff);
  for (let o = buf.length - 22; o >= lowest; o--) {
    if (u32(buf, o) === SIG_EOCD && o + 22 + u16(buf, o + 20) === buf.length) {
      eocd = o;
      break;
    }
  }
  if (eocd < 0) throw new FormatError(src, 'not a ZIP archive (no end-of-central-directory record)');
  const disk = u16(buf, eocd + 4);
  const cdDisk = u16(buf, eocd + 6);
  const nDisk = u16(buf, eocd + 8);
  const n = u16(buf, eocd + 10);
  const cdSize = u32(buf, eocd + 12);
  const cdOff = u32(buf, eocd + 16);
  if (n === 0xffff || cdSize === 0xffffffff || cdOff === 0xffffffff) {
    throw new UnsupportedError(src, 'ZIP64 archives are not supported (entries over 4 GiB exceed the size caps anyway)');
  }
  if (disk !== 0 || cdDisk !== 0 || nDisk !== n) throw new UnsupportedError(src, 'multi-disk ZIP archives are not supported');
  if (n > maxEntries) throw new FormatError(src, `${n} entries exceed the cap of ${maxEntries}`);
  if (cdOff + cdSize > eocd) throw new FormatError(src, 'central directory overlaps the end record (truncated or corrupt archive)');
  const out: CdEntry[] = [];
  let o = cdOff;
  for (let i = 0; i < n; i++) {
    if (o + 46 > eocd || u32(buf, o) !== SIG_CD) throw new FormatError(src, `central directory entry ${i} is corrupt`);
    const flags = u16(buf, o + 8);
    const method = u16(buf, o + 10);
    const crc = u32(buf, o + 16);
    const csize = u32(buf, o + 20);
    const usize = u32(buf, o + 24);
    const nl = u16(buf, o + 28);
    const el = u16(buf, o + 30);
    const cl = u16(buf, o + 32);
    const localOffset = u32(buf, o + 42);
    if (o + 46 + nl + el + cl > eocd) throw new FormatError(src, `central directory entry ${i} runs past the directory`);
    const name = decodeName(buf.subarray(o + 46, o + 46 + nl), (flags & 0x800) !== 0, `${src}: entry ${i}`);
    if (csize === 0xffffffff || usize === 0xffffffff || localOffset === 0xffffffff) {
      throw new UnsupportedError(`${src}:${name}`, 'ZIP64 entries are not supported');
    }
    out.push({ name, flags, method, crc, csize, usize, localOffset });
    o += 46 + nl + el + cl;
  }
  return out;
}

/** Compressed bytes pushed per step: bounds both memory and work done past a lying size (deflate expands ≤ 1032×). */
const INFLATE_STEP = 16_384;

/**
 * Inflates raw deflate data that must come to exactly `size` bytes, in small steps, stopping as
 * soon as the output would exceed `size` (so a bomb costs at most one step of work past the cap).
 */
function inflateCapped(data: Uint8Array, size: number, where: string): Uint8Array {
  const out = new Uint8Array(size);
  let n = 0;
  let over = false;
  let done = false;
  const inf = new Inflate();
  inf.ondata = (chunk: Uint8Array, final: boolean): void => {
    if (n + chunk.length > size) over = true;
    else {
      out.set(chunk, n);
      n += chunk.length;
    }
    if (final) done = true;
  };
  try {
    if (data.length === 0) inf.push(new Uint8Array(0), true);
    for (let off = 0; off < data.length && !over; off += INFLATE_STEP) {
      const end = Math.min(off + INFLATE_STEP, data.length);
      inf.push(data.subarray(off, end), end === data.length);
    }
  } catch (err) {
    throw new FormatError(where, `corrupt deflate data (${(err as Error).message})`);
  }
  if (over) throw new FormatError(where, `inflates to more than the declared ${size} bytes`);
  if (!done || n !== size) throw new FormatError(where, `inflates to ${n} bytes, not the declared ${size} bytes`);
  return out;
}

/** Decompresses one entry after checking it against the caps; verifies size and CRC-32. */
function extract(buf: Uint8Array, e: CdEntry, src: string, cap: number): Uint8Array {
  const where = `${src}:${e.name}`;
  if (e.flags & 0x1) throw new UnsupportedError(where, 'encrypted ZIP entries are not supported');
  if (e.usize > cap) throw new FormatError(where, `declared size ${e.usize} bytes exceeds the cap of ${cap} bytes`);
  const lo = e.localOffset;
  if (lo + 30 > buf.length || u32(buf, lo) !== SIG_LOCAL) throw new FormatError(where, 'local header missing or corrupt');
  const nl = u16(buf, lo + 26);
  const el = u16(buf, lo + 28);
  const localName = buf.subarray(lo + 30, lo + 30 + nl);
  if (decodeName(localName, true, where) !== e.name) throw new FormatError(where, 'local header name differs from the central directory');
  const start = lo + 30 + nl + el;
  if (start + e.csize > buf.length) throw new FormatError(where, 'entry data runs past the end of the archive (truncated)');
  const data = buf.subarray(start, start + e.csize);
  let out: Uint8Array;
  if (e.method === 0) {
    if (e.csize !== e.usize) throw new FormatError(where, `stored entry with compressed size ${e.csize} != size ${e.usize}`);
    out = data;
  } else if (e.method === 8) {
    out = inflateCapped(data, e.usize, where);
  } else {
    throw new UnsupportedError(where, `compression method ${e.method} is not supported (only stored and deflate)`);
  }
  if (crc32(out) !== e.crc) throw new FormatError(where, 'CRC-32 mismatch (corrupt entry)');
  return out;
}

function parseJsonObject(bytes: Uint8Array, where: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(where, 'not valid UTF-8');
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new FormatError(where, `invalid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new FormatError(where, 'expected a JSON object');
  return v as Record<string, unknown>;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Reads a `.keras` archive held in memory. `src` names it in errors.
 *
 * @example
 * const a = readKerasArchive(readFileSync('model.keras'), 'model.keras');
 * a.config.class_name; // 'Sequential'
 */
export function readKerasArchive(bytes: Uint8Array, src = 'model.keras', limits: KerasArchiveLimits = {}): KerasArchive {
  const lim = { ...DEFAULTS, ...limits };
  const entries = centralDirectory(bytes, src, lim.maxEntries);
  const seen = new Set<string>();
  let config: CdEntry | undefined;
  let metadata: CdEntry | undefined;
  let weights: CdEntry | undefined;
  const assets: string[] = [];
  for (const e of entries) {
    if (seen.has(e.name)) throw new FormatError(`${src}:${e.name}`, 'duplicate entry');
    seen.add(e.name);
    if (e.name === 'config.json') config = e;
    else if (e.name === 'metadata.json') metadata = e;
    else if (e.name === 'model.weights.h5') weights = e;
    else if (e.name === 'model.weights.npz') {
      throw new UnsupportedError(`${src}:${e.name}`, "weights saved with weights_format='npz' are not supported; save with the default 'h5'");
    } else if (e.name === 'assets/' || e.name.startsWith('assets/')) assets.push(e.name);
    else throw new FormatError(`${src}:${e.name}`, 'unexpected entry in a .keras archive (expected config.json, metadata.json, model.weights.h5, assets/…)');
  }
  if (!config) throw new FormatError(`${src}:config.json`, 'missing: not a Keras 3 .keras archive');
  if (!weights) throw new FormatError(`${src}:model.weights.h5`, 'missing: the archive has no weights');
  const cfg = parseJsonObject(extract(bytes, config, src, lim.maxJsonBytes), `${src}:config.json`);
  if (typeof cfg['class_name'] !== 'string') throw new FormatError(`${src}:config.json.class_name`, 'expected the model class name (a string)');
  if (typeof cfg['config'] !== 'object' || cfg['config'] === null || Array.isArray(cfg['config'])) {
    throw new FormatError(`${src}:config.json.config`, 'expected the model config (an object)');
  }
  let meta: Record<string, unknown> | null = null;
  if (metadata) meta = parseJsonObject(extract(bytes, metadata, src, lim.maxJsonBytes), `${src}:metadata.json`);
  const kv = meta?.['keras_version'];
  if (kv !== undefined && typeof kv !== 'string') throw new FormatError(`${src}:metadata.json.keras_version`, `expected a string, got ${JSON.stringify(kv)}`);
  const w = extract(bytes, weights, src, lim.maxWeightsBytes);
  if (!HDF5_SIGNATURE.every((b, i) => w[i] === b)) throw new FormatError(`${src}:model.weights.h5`, 'not an HDF5 file (no HDF5 signature)');
  return { config: cfg, metadata: meta, kerasVersion: kv, weights: w.slice(), assets };
}

/**
 * Reads a `.keras` archive from disk (size-checked before reading).
 *
 * @example const a = loadKerasArchive('model.keras');
 */
export function loadKerasArchive(path: string, limits: KerasArchiveLimits = {}): KerasArchive {
  const lim = { ...DEFAULTS, ...limits };
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new FormatError(path, 'file not found');
  }
  if (size > lim.maxArchiveBytes) throw new FormatError(path, `archive of ${size} bytes exceeds the cap of ${lim.maxArchiveBytes} bytes`);
  return readKerasArchive(readFileSync(path), path, lim);
}

/** True when the bytes start like a ZIP file (local header signature). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && u32(bytes, 0) === SIG_LOCAL;
}

/** One variable of a Keras 3 weights file. */
export interface Keras3Var {
  /** Dataset name inside `vars` ('0', '1', …). */
  key: string;
  shape: number[];
  /** h5wasm dtype string ('<f' float32, '<d' float64, '<i8' int64, …). */
  dtype: string;
  /** Values for float datasets (float32 → Float32Array, float64 → Float64Array); null for other dtypes. */
  data: Float32Array | Float64Array | null;
}

/** One `…/vars` group of a Keras 3 weights file. */
export interface Keras3VarsGroup {
  /** The saveable's path: '' (the model itself), 'layers/dense', 'layers/sequential/layers/dense_1', 'optimizer', … */
  path: string;
  /** The `name` attribute Keras ≥ 3.6 writes on the group (the layer name), when present. */
  name: string | undefined;
  /** Variables in index order (0, 1, …): trainable variables first, then non-trainable. */
  vars: Keras3Var[];
}

/**
 * Lists every `vars` group of a Keras 3 `model.weights.h5` (from a `.keras` archive or
 * `model.save_weights('x.weights.h5')`), in path order. Paths follow Keras' saving walk: a
 * Sequential/Functional model's layers are `layers/<snake_case(class name)>[_<k>]` (k counts
 * repeated classes in layer order — not the layer's own name), nested models repeat the pattern,
 * RNN layers keep their variables under `<layer>/cell`.
 */
export async function readKeras3Weights(weights: Uint8Array, src = 'model.weights.h5'): Promise<Keras3VarsGroup[]> {
  if (!HDF5_SIGNATURE.every((b, i) => weights[i] === b)) throw new FormatError(src, 'not an HDF5 file (no HDF5 signature)');
  const mod = await platform().h5wasm();
  const dir = mkdtempSync(join(tmpdir(), 'hlsemu-keras-'));
  const file = join(dir, 'model.weights.h5');
  writeFileSync(file, weights);
  const groups: Keras3VarsGroup[] = [];
  let f: InstanceType<typeof mod.File> | undefined;
  try {
    try {
      f = new mod.File(platform().h5Open(mod, file), 'r');
    } catch (e) {
      throw new FormatError(src, `malformed HDF5 file (h5wasm: ${(e as Error).message})`);
    }
    type G = InstanceType<typeof mod.Group>;
    const walk = (g: G, path: string): void => {
      for (const k of g.keys()) {
        const child = g.get(k);
        if (!child || !(child instanceof mod.Group)) continue;
        if (k === 'vars') {
          const nameAttr = child.attrs['name']?.value;
          const vars: Keras3Var[] = [];
          for (const vk of child.keys()) {
            const d = child.get(vk);
            if (!(d instanceof mod.Dataset)) throw new FormatError(`${src}:/${path ? path + '/' : ''}vars/${vk}`, 'expected a dataset');
            if (!/^\d+$/.test(vk)) throw new FormatError(`${src}:/${path ? path + '/' : ''}vars/${vk}`, 'variable datasets are named 0, 1, …');
            if (d.attrs['dtype']?.value === 'bfloat16') {
              throw new UnsupportedError(`${src}:/${path ? path + '/' : ''}vars/${vk}`, 'bfloat16 variables are not supported');
            }
            const dtype = String(d.dtype);
            const v = d.value;
            const data = v instanceof Float32Array || v instanceof Float64Array ? v : null;
            vars.push({ key: vk, shape: [...(d.shape ?? [])], dtype, data });
          }
          vars.sort((a, b) => Number(a.key) - Number(b.key));
          vars.forEach((v, i) => {
            if (Number(v.key) !== i) throw new FormatError(`${src}:/${path ? path + '/' : ''}vars`, `variables are not numbered 0…${vars.length - 1}`);
          });
          groups.push({ path, name: typeof nameAttr === 'string' ? nameAttr : undefined, vars });
        } else {
          walk(child as G, path ? `${path}/${k}` : k);
        }
      }
    };
    walk(f as unknown as G, '');
  } finally {
    f?.close();
    if (f) platform().h5Close?.(f.filename);
    rmSync(dir, { recursive: true, force: true });
  }
  groups.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return groups;
}

// ---------------------------------------------------------------------------------------------
// The model of a `.keras` archive
// ---------------------------------------------------------------------------------------------

/**
 * Keras' `naming.to_snake_case` of a class name: the variable-group name a saved layer gets
 * (`Dense` → `dense`, `BatchNormalization` → `batch_normalization`, `Conv2D` → `conv2d`).
 *
 * @example kerasSnakeCase('BatchNormalization') // 'batch_normalization'
 */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The class names of a topology's `layers` list, in the order the saving walk visits them. */
function configLayerOrder(config: Record<string, unknown>): Array<{ cls: string; name: string }> {
  const c = config['config'];
  const list = Array.isArray(c) ? c : c && typeof c === 'object' ? (c as Record<string, unknown>)['layers'] : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((e) => {
    if (!e || typeof e !== 'object') return [];
    const o = e as Record<string, unknown>;
    const cfg = (o['config'] ?? {}) as Record<string, unknown>;
    const name = typeof o['name'] === 'string' ? o['name'] : cfg['name'];
    return typeof o['class_name'] === 'string' && typeof name === 'string' ? [{ cls: o['class_name'], name }] : [];
  });
}

/**
 * The variable group of every layer of a `.keras` archive's model: by the group's `name` attribute
 * (Keras ≥ 3.6), else by Keras' saving walk — `layers/<snake_case(class)>` with `_1`, `_2`, … for
 * repeated classes in layer order (`_layer_checkpoint_dependencies/…` in files tf.keras 2.13/2.14 wrote).
 */
export function kerasArchiveLayerGroups(config: Record<string, unknown>, groups: readonly Keras3VarsGroup[]): Map<string, Keras3VarsGroup> {
  const out = new Map<string, Keras3VarsGroup>();
  const top = groups.filter((g) => /^(layers|_layer_checkpoint_dependencies)\/[^/]+$/.test(g.path));
  const byName = new Map<string, Keras3VarsGroup>();
  for (const g of top) if (g.name !== undefined) byName.set(g.name, g);
  const byPath = new Map<string, Keras3VarsGroup>();
  for (const g of top) byPath.set(g.path.replace(/^[^/]+\//, ''), g);
  const used: Record<string, number> = {};
  for (const { cls, name } of configLayerOrder(config)) {
    let snake = kerasSnakeCase(cls);
    if (snake in used) {
      used[snake]! += 1;
      snake = `${snake}_${used[snake]}`;
    } else used[snake] = 0;
    const g = byName.get(name) ?? (byName.size === 0 ? byPath.get(snake) : undefined);
    if (g) out.set(name, g);
  }
  return out;
}

/**
 * Loads the model of a `.keras` archive: the topology from `config.json` (Keras 3 serialisation;
 * the `keras_version` of `metadata.json` selects hls4ml's Keras 3 rules for 3.x, its Keras 2 ones
 * for archives tf.keras 2.13/2.14 wrote) and the weights from `model.weights.h5`, each layer's
 * variables taken in Keras' order (Dense/Conv kernel, bias; BatchNormalization gamma, beta,
 * moving_mean, moving_variance).
 *
 * @throws {FormatError} malformed archives, missing or mis-shaped variables (named);
 *   {@link UnsupportedError} unsupported layers.
 * @example const g = await loadKerasArchiveModel('model.keras'); g.source // 'keras3'
 */
export async function loadKerasArchiveModel(path: string, limits: KerasArchiveLimits = {}): Promise<ModelGraph> {
  const a = loadKerasArchive(path, limits);
  const parsed = parseKerasTopology(a.config, `${path}:config.json`);
  const version = a.kerasVersion ?? parsed.kerasVersion;
  const source = version !== undefined && /^2\./.test(version) ? 'keras2' : 'keras3';
  const groups = await readKeras3Weights(a.weights, `${path}:model.weights.h5`);
  const layerGroups = kerasArchiveLayerGroups(a.config, groups);
  const containerOf = (l: { name: string }) => {
    const g = layerGroups.get(l.name);
    return `${path}:model.weights.h5:/${g ? `${g.path}/vars` : `(no group for '${l.name}')`}`;
  };
  return assembleModelGraph(
    parsed,
    source,
    (l) => {
      const g = layerGroups.get(l.name);
      if (!g) return null;
      const vars = g.vars;
      if (vars.length !== l.weightSpecs.length) {
        if (vars.length === 0 && l.weightSpecs.length === 0) return [];
        throw new FormatError(containerOf(l), `${l.where} has ${l.weightSpecs.length} variables (${l.weightSpecs.map((s) => s.name).join(', ')}), the archive holds ${vars.length}`);
      }
      return vars.map((v, i) => {
        if (!v.data) throw new UnsupportedError(`${containerOf(l)}/${v.key}`, `variable of dtype ${v.dtype} is not a float`);
        return { name: l.weightSpecs[i]!.name, shape: v.shape, data: v.data };
      });
    },
    containerOf,
    basename(path, extname(path)),
  );
}
