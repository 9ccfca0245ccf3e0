/**
 * The playground's Web Worker: holds the model and the data and runs everything heavy (import,
 * conversion, emulation, scans, profiles, project emission) with the library's browser entry, so
 * the page stays responsive. Cancelling a job terminates this worker (the page starts a new one).
 */
import {
  Emulator,
  compileGraph,
  configFromModel,
  convertModel,
  formatFixedType,
  formatProfileTable,
  formatReport,
  FormatError,
  ShapeError,
  ValueError,
  homogeneousSeries,
  isQatModel,
  loadExample,
  loadModelFromFiles,
  memoryPlatform,
  MemoryFs,
  mountFiles,
  parseIdx,
  parseNpy,
  parseWidths,
  profileModel,
  profileSvgs,
  projectZip,
  renderProject,
  runScan,
  scanToCsv,
  scanToSvg,
  shapeSize,
  unquantizedSeries,
  type Hls4mlConfig,
  type LabelledData,
  type ModelGraph,
} from '../../src/browser.js';
import { platform, setPlatform } from '../../src/platform/index.js';
import type { DataInfo, FileList_, ModelInfo, PredictOut, Request, Response, TraceRow } from './protocol.js';

// The package's example files are mounted where the Node package keeps them (`/pkg/models/…`,
// `/pkg/data/…`), so loadExample('fashion-mnist') runs exactly as the CLI's `--example`.
setPlatform(memoryPlatform(new MemoryFs(), { moduleDir: '/pkg/dist', warn: (m) => console.warn(m) }));

// The HDF5 reader is loaded now, with the page, so that Keras files open offline later; the page
// is told when this worker has everything it needs (id 0).
platform()
  .h5wasm()
  .then(
    () => post({ id: 0, kind: 'ready' }),
    (e: Error) => post({ id: 0, kind: 'error', name: e.name, message: `the HDF5 reader did not load: ${e.message}` }),
  );

let model: ModelGraph | undefined;
let modelSource = '';
let data: LabelledData | undefined;

const post = (r: Response, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(r, transfer);

function modelInfo(m: ModelGraph): ModelInfo {
  const input = m.layers.find((l) => l.className === 'InputLayer');
  return {
    name: m.name,
    source: modelSource,
    layers: m.layers.map((l) => ({ name: l.name, className: l.className, outputShape: [...l.outputShape] })),
    inputShape: input ? [...input.outputShape] : [],
    qat: isQatModel(m),
    config: configFromModel(m),
  };
}

function dataInfo(d: LabelledData): DataInfo {
  return { source: d.source, n: d.n, sampleShape: d.sampleShape, labels: !!d.labels };
}

function needModel(): ModelGraph {
  if (!model) throw new Error('load a model first (the example, or model files)');
  return model;
}

function needData(): LabelledData {
  if (!data) throw new Error('load data first (the example, or .npy / IDX files)');
  return data;
}


/** .npy arrays and IDX files (optionally gzipped) → samples of the model's input shape (+ labels). */
function readData(files: FileList_, m: ModelGraph): LabelledData {
  const input = m.layers.find((l) => l.className === 'InputLayer');
  const sampleShape = input ? [...input.outputShape] : [];
  const per = shapeSize(sampleShape);
  let x: Float32Array | Float64Array | undefined;
  let labels: Int32Array | undefined;
  const names: string[] = [];
  for (const [name, buf] of files) {
    const bytes = new Uint8Array(buf);
    names.push(name);
    if (/\.npy$/i.test(name)) {
      const a = parseNpy(bytes, name);
      const isLabels = a.shape.length === 1 && per !== 1;
      if (isLabels || /label|(^|[^a-z])y[^a-z]/i.test(name)) labels = Int32Array.from(a.data);
      else x = a.data;
    } else {
      const a = parseIdx(bytes, name);
      if (a.dims.length === 1) labels = Int32Array.from(a.data);
      else {
        // IDX bytes are scaled by 1/255, as the CLI's --data does.
        const f = new Float32Array(a.data.length);
        for (let i = 0; i < f.length; i++) f[i] = a.data[i]! / 255;
        x = f;
      }
    }
  }
  const source = names.join(' + ');
  if (!x) throw new FormatError(source, 'no input array (an .npy of samples, or an IDX images file)');
  if (x.length % per !== 0) throw new ShapeError(source, `${x.length} values are not a whole number of samples of the model's input shape [${sampleShape.join(', ')}]`);
  const n = x.length / per;
  if (labels && labels.length !== n) throw new ShapeError(source, `${labels.length} labels for ${n} samples`);
  return { x, n, sampleShape, source, ...(labels ? { labels } : {}) };
}

function rawList(raw: Float64Array | bigint[]): (number | string)[] {
  return Array.isArray(raw) ? raw.map((v) => v.toString()) : Array.from(raw);
}

function predict(config: Hls4mlConfig, samples: number[]): PredictOut {
  const m = needModel();
  const d = needData();
  const per = shapeSize(d.sampleShape);
  for (const s of samples) if (!(Number.isInteger(s) && s >= 0 && s < d.n)) throw new ValueError('samples', `sample ${s} is outside 0..${d.n - 1}`);
  const x = new Float64Array(samples.length * per);
  samples.forEach((s, k) => x.set(d.x.subarray(s * per, (s + 1) * per), k * per));
  const t0 = performance.now();
  const fw = convertModel(m, config);
  const compiled = compileGraph(fw);
  const r = new Emulator(fw).predict({ data: x, shape: [samples.length, ...d.sampleShape] }, { trace: true, report: true });
  const seconds = (performance.now() - t0) / 1000;
  const rep = r.report!;
  const trace: TraceRow[] = fw.layers.map((l) => {
    const t = r.trace?.[l.name];
    const lr = rep.layers.find((x) => x.layer === l.name);
    let min = Infinity;
    let max = -Infinity;
    const scale = t ? 2 ** -(t.type.W - t.type.I) : 1;
    const head: number[] = [];
    if (t) {
      const n = t.raw.length;
      for (let i = 0; i < n; i++) {
        const v = Number(t.raw[i]!) * scale;
        if (v < min) min = v;
        if (v > max) max = v;
        if (head.length < 6) head.push(v);
      }
    }
    return {
      layer: l.name,
      cls: l.cls,
      shape: t ? t.shape : [],
      type: t ? formatFixedType(t.type) : '',
      min,
      max,
      head,
      raw: t ? rawList(t.raw) : [],
      wrapped: lr ? lr.accum.wrapped + lr.result.wrapped + lr.internal.wrapped : 0,
      saturated: lr ? lr.accum.saturated + lr.result.saturated + lr.internal.saturated : 0,
      lut: (lr?.luts ?? []).map((u) => `${u.table}: ${u.used}/${u.size}${u.collapsed ? ' COLLAPSED' : ''}`).join('; '),
    };
  });
  const k = r.values.length / r.n;
  const predictions: number[] = [];
  for (let i = 0; i < r.n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (r.values[i * k + j]! > r.values[i * k + best]!) best = j;
    predictions.push(best);
  }
  return {
    n: r.n,
    samples,
    type: formatFixedType(r.type),
    raw: Array.from(r.raw),
    values: Array.from(r.values),
    predictions,
    ...(d.labels ? { labels: samples.map((s) => Number(d.labels![s])) } : {}),
    trace,
    reportText: formatReport(rep),
    fastLayers: compiled.filter((c) => c.impl === 'fast').length,
    layers: compiled.length,
    seconds,
  };
}

async function handle(id: number, msg: Request): Promise<void> {
  // At most ~10 progress messages a second (and always the last one): the page only redraws a bar.
  let last = 0;
  const progress = (done: number, total: number, label: string) => {
    const now = performance.now();
    if (done < total && now - last < 100) return;
    last = now;
    post({ id, kind: 'progress', done, total, label });
  };
  switch (msg.kind) {
    case 'example': {
      const files: Record<string, Uint8Array> = { 'package.json': new TextEncoder().encode('{"name":"hlsemu"}') };
      for (const [rel, buf] of msg.files) files[rel] = new Uint8Array(buf);
      mountFiles(files, '/pkg');
      const ex = await loadExample('fashion-mnist');
      model = ex.model;
      modelSource = 'Fashion-MNIST CNN (models/fmnist)';
      data = ex.data;
      post({ id, kind: 'model', model: modelInfo(model), data: dataInfo(data) });
      return;
    }
    case 'model': {
      const files = Object.fromEntries(msg.files.map(([n, b]) => [n, new Uint8Array(b)]));
      model = await loadModelFromFiles(files);
      modelSource = msg.files.map(([n]) => n).join(' + ');
      const shape = modelInfo(model).inputShape;
      if (data && shapeSize(data.sampleShape) !== shapeSize(shape)) data = undefined;
      post({ id, kind: 'model', model: modelInfo(model), ...(data ? { data: dataInfo(data) } : {}) });
      return;
    }
    case 'data': {
      data = readData(msg.files, needModel());
      post({ id, kind: 'data', data: dataInfo(data) });
      return;
    }
    case 'defaults': {
      post({ id, kind: 'defaults', config: configFromModel(needModel(), { granularity: msg.granularity }) });
      return;
    }
    case 'predict': {
      post({ id, kind: 'predict', out: predict(msg.config, msg.samples) });
      return;
    }
    case 'scan': {
      const m = needModel();
      const d0 = needData();
      const n = Math.min(msg.limit, d0.n);
      const per = shapeSize(d0.sampleShape);
      const d: LabelledData = { x: d0.x.subarray(0, n * per), n, sampleShape: d0.sampleShape, source: d0.source, ...(d0.labels ? { labels: d0.labels.slice(0, n) as LabelledData['labels'] } : {}) };
      const widths = parseWidths(msg.widths);
      const base = { baseConfig: msg.config };
      const series = [isQatModel(m) ? unquantizedSeries(m, base) : homogeneousSeries(base)];
      const r = await runScan({
        model: m,
        data: d,
        ...(d.labels ? { labels: d.labels } : {}),
        widths,
        integerBits: msg.integerBits,
        ...base,
        series,
        onProgress: (p) => progress(p.done, p.total, p.phase === 'float' ? 'float reference' : `${p.series} ${p.width}b (${p.point + 1}/${p.points})`),
        onPoint: (s, p) =>
          post({
            id,
            kind: 'point',
            point: { series: s.name, width: p.width, type: p.type, overflowTotal: p.overflowTotal, ...(p.accuracy !== undefined ? { accuracy: p.accuracy } : {}), ...(p.agreement !== undefined ? { agreement: p.agreement } : {}), ...(p.error ? { error: p.error } : {}) },
          }),
      });
      post({ id, kind: 'scan', csv: scanToCsv(r), json: JSON.stringify(r, null, 2) + '\n', svg: scanToSvg(r, `${m.name}: ${d.source}`) });
      return;
    }
    case 'profile': {
      const m = needModel();
      const d0 = needData();
      const n = Math.min(msg.limit, d0.n);
      const p = profileModel({ model: m, data: { data: d0.x.subarray(0, n * shapeSize(d0.sampleShape)), shape: [n, ...d0.sampleShape] }, config: msg.config, onProgress: (a, b) => progress(a, b, 'profile') });
      const svgs = profileSvgs(p);
      post({ id, kind: 'profile', table: formatProfileTable(p), weightsSvg: svgs.weights, activationsSvg: svgs.activations });
      return;
    }
    case 'project': {
      const fw = convertModel(needModel(), msg.config);
      const proj = renderProject(fw, { name: msg.name });
      const zip = projectZip(proj);
      const buf = zip.buffer.slice(zip.byteOffset, zip.byteOffset + zip.byteLength) as ArrayBuffer;
      post({ id, kind: 'project', zip: buf, name: proj.name, files: [...proj.files.keys()], warnings: proj.warnings }, [buf]);
      return;
    }
  }
}

// One request at a time, in arrival order (a predict sent while the model loads waits for it).
let queue: Promise<void> = Promise.resolve();
self.onmessage = (e: MessageEvent<{ id: number; msg: Request }>) => {
  const { id, msg } = e.data;
  queue = queue.then(() =>
    handle(id, msg).catch((err: unknown) => {
      const er = err instanceof Error ? err : new Error(String(err));
      post({ id, kind: 'error', name: er.name, message: er.message });
    }),
  );
};

