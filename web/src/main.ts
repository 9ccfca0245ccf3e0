/**
 * The playground page: loads a model (the bundled example or dropped files), edits its hls4ml
 * config (a per-layer table and the raw YAML/JSON, both ways), predicts with the per-layer trace and
 * overflow/LUT report, scans bit widths with a live chart, profiles, and downloads the config, the
 * scan outputs and the HLS project. All the work runs in a Web Worker (./worker.ts).
 */
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { Hls4mlConfig } from '../../src/graph/config.js';
import type { DataInfo, FileList_, ModelInfo, PredictOut, Request, Response, ScanPointOut } from './protocol.js';
import modelJsonUrl from '../../models/fmnist/model.json?url';
import weightsUrl from '../../models/fmnist/weights.bin?url';
import imagesUrl from '../../data/fashion-mnist/t10k-images-idx3-ubyte.gz?url';
import labelsUrl from '../../data/fashion-mnist/t10k-labels-idx1-ubyte.gz?url';
import './style.css';

const EXAMPLE_URLS = {
  'models/fmnist/model.json': modelJsonUrl,
  'models/fmnist/weights.bin': weightsUrl,
  'data/fashion-mnist/t10k-images-idx3-ubyte.gz': imagesUrl,
  'data/fashion-mnist/t10k-labels-idx1-ubyte.gz': labelsUrl,
};

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

/** What the page holds (and what tests read). */
const state = {
  model: undefined as ModelInfo | undefined,
  data: undefined as DataInfo | undefined,
  config: undefined as Hls4mlConfig | undefined,
  predict: undefined as PredictOut | undefined,
  scan: undefined as { csv: string; json: string; svg: string } | undefined,
  points: [] as ScanPointOut[],
  busy: false,
  /** True once the example files are in memory: from then on the page works offline. */
  ready: false,
  lastError: '',
  /** Per click on #ping: ms from the input event to its handler, and to the next frame. */
  pings: [] as { handler: number; frame: number }[],
};
(window as unknown as { hlsemu: typeof state }).hlsemu = state;

// ---- the worker ----

let worker: Worker;
let nextId = 1;
const pending = new Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void; onEvent?: (r: Response) => void }>();
/** Requests that set the worker's model and data: replayed into a new worker after a cancel. */
let replay: Request[] = [];

/** A started worker kept in reserve: Cancel swaps it in at once (and it loaded with the page, so it works offline). */
let spare: Worker | undefined;

/** Workers that have loaded everything they need. */
const loaded = new WeakSet<Worker>();

function newWorker(): Worker {
  const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  w.addEventListener('message', (e: MessageEvent<Response>) => {
    if (e.data.id !== 0) return;
    if (e.data.kind === 'ready') loaded.add(w);
    else if (e.data.kind === 'error') setStatus(e.data.message, 'error');
    updateReady();
  });
  return w;
}

/** Ready (and from then on working offline) once the example files and both workers are loaded. */
function updateReady(): void {
  state.ready = exampleLoaded && loaded.has(worker) && !!spare && loaded.has(spare);
}

function startWorker(): void {
  worker = spare ?? newWorker();
  spare = newWorker();
  updateReady();
  worker.onmessage = (e: MessageEvent<Response>) => {
    const r = e.data;
    const p = r.id === 0 ? undefined : pending.get(r.id);
    if (!p) return;
    if (r.kind === 'progress' || r.kind === 'point') return p.onEvent?.(r);
    pending.delete(r.id);
    if (r.kind === 'error') p.reject(Object.assign(new Error(r.message), { name: r.name }));
    else p.resolve(r);
  };
}

function call(msg: Request, onEvent?: (r: Response) => void, transfer: Transferable[] = []): Promise<Response> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, ...(onEvent ? { onEvent } : {}) });
    worker.postMessage({ id, msg }, transfer);
  });
}

function cancel(): void {
  worker.terminate();
  for (const p of pending.values()) p.reject(Object.assign(new Error('cancelled'), { name: 'Cancelled' }));
  pending.clear();
  startWorker();
  // Bring the worker back to the same model and data.
  for (const m of replay) void call(m).catch(() => undefined);
}

// ---- status, progress ----

function setStatus(text: string, kind: 'info' | 'error' | 'ok' = 'info'): void {
  const s = $('status');
  s.textContent = text;
  s.className = kind;
  if (kind === 'error') state.lastError = text;
}

function onProgress(r: Response): void {
  if (r.kind !== 'progress') return;
  const p = $<HTMLProgressElement>('progress');
  p.max = Math.max(1, r.total);
  p.value = r.done;
  $('progress-label').textContent = `${r.label} — ${r.done}/${r.total}`;
}

async function job<T>(label: string, run: () => Promise<T>): Promise<T | undefined> {
  if (state.busy) {
    setStatus('busy: wait, or cancel the running job', 'error');
    return undefined;
  }
  state.busy = true;
  document.body.classList.add('busy');
  $<HTMLButtonElement>('btn-cancel').disabled = false;
  setStatus(`${label}…`);
  const t0 = performance.now();
  try {
    const r = await run();
    setStatus(`${label}: done in ${((performance.now() - t0) / 1000).toFixed(2)} s`, 'ok');
    return r;
  } catch (e) {
    const err = e as Error;
    setStatus(err.name === 'Cancelled' ? `${label}: cancelled` : `${label}: ${err.name}: ${err.message}`, err.name === 'Cancelled' ? 'info' : 'error');
    return undefined;
  } finally {
    state.busy = false;
    document.body.classList.remove('busy');
    $<HTMLButtonElement>('btn-cancel').disabled = true;
    $<HTMLProgressElement>('progress').value = 0;
    $('progress-label').textContent = '';
  }
}

// ---- loading ----

function showModel(m: ModelInfo, d?: DataInfo): void {
  state.model = m;
  state.data = d;
  state.predict = undefined;
  state.scan = undefined;
  $('model-info').textContent = `${m.name} (${m.source}): ${m.layers.length} layers, input [${m.inputShape.join(', ')}]${m.qat ? ', quantization-aware trained' : ''}`;
  showData();
  setConfig(m.config);
  for (const id of ['sec-config', 'sec-predict', 'sec-scan', 'sec-profile', 'sec-download']) $(id).hidden = false;
}

function showData(): void {
  const d = state.data;
  $('data-info').textContent = d ? `${d.n} samples of [${d.sampleShape.join(', ')}]${d.labels ? ' with labels' : ''} — ${d.source}` : 'no data: drop .npy or IDX files';
}

async function readFiles(list: FileList | File[]): Promise<FileList_> {
  return Promise.all([...list].map(async (f) => [f.name, await f.arrayBuffer()] as [string, ArrayBuffer]));
}

const isDataFile = (n: string) => /\.npy$|idx\d-ubyte(\.gz)?$|\.idx(\.gz)?$/i.test(n);

async function loadFiles(list: FileList | File[]): Promise<void> {
  const files = await readFiles(list);
  const modelFiles = files.filter(([n]) => !isDataFile(n));
  const dataFiles = files.filter(([n]) => isDataFile(n));
  await job(`loading ${files.map(([n]) => n).join(', ')}`, async () => {
    if (modelFiles.length) {
      const msg: Request = { kind: 'model', files: modelFiles };
      const r = await call(msg, onProgress);
      if (r.kind === 'model') {
        replay = [...replay.filter((m) => m.kind === 'example' || m.kind === 'data'), msg];
        showModel(r.model, r.data);
      }
    }
    if (dataFiles.length) {
      const msg: Request = { kind: 'data', files: dataFiles };
      const r = await call(msg, onProgress);
      if (r.kind === 'data') {
        replay = [...replay.filter((m) => m.kind !== 'data'), msg];
        state.data = r.data;
        showData();
      }
    }
  });
}

// ---- config: table and raw view ----

const STRATEGIES = ['Latency', 'Resource'];

function setConfig(cfg: Hls4mlConfig, from: 'table' | 'raw' | 'load' = 'load'): void {
  state.config = cfg;
  if (from !== 'raw') renderRaw();
  if (from !== 'table') renderTable();
}

function renderRaw(): void {
  const fmt = $<HTMLSelectElement>('raw-format').value;
  $<HTMLTextAreaElement>('config-raw').value = fmt === 'json' ? JSON.stringify(state.config, null, 2) : toYaml(state.config);
}

function sections(cfg: Hls4mlConfig): [label: string, path: string[], s: Record<string, unknown>][] {
  const out: [string, string[], Record<string, unknown>][] = [['Model', ['Model'], cfg.Model as Record<string, unknown>]];
  for (const [k, v] of Object.entries(cfg.LayerType ?? {})) out.push([`type ${k}`, ['LayerType', k], v as Record<string, unknown>]);
  for (const [k, v] of Object.entries(cfg.LayerName ?? {})) out.push([k, ['LayerName', k], v as Record<string, unknown>]);
  return out;
}

function renderTable(): void {
  const cfg = state.config!;
  const io = $<HTMLSelectElement>('io-type');
  io.value = cfg.IOType ?? 'io_parallel';
  const body = $('config-table').querySelector('tbody')!;
  body.replaceChildren();
  for (const [label, path, s] of sections(cfg)) {
    const tr = document.createElement('tr');
    tr.dataset.layer = path.join('.');
    const name = document.createElement('td');
    name.textContent = label;
    const prec = document.createElement('td');
    const p = s.Precision;
    const entries: [string, string][] = typeof p === 'string' ? [['', p]] : Object.entries((p ?? {}) as Record<string, string>);
    for (const [k, v] of entries) {
      const lab = document.createElement('label');
      lab.className = 'prec';
      lab.textContent = k ? `${k} ` : '';
      const inp = document.createElement('input');
      inp.value = String(v);
      inp.size = Math.max(10, String(v).length);
      inp.dataset.key = k;
      inp.onchange = () => {
        if (k) ((s.Precision ??= {}) as Record<string, string>)[k] = inp.value;
        else s.Precision = inp.value;
        setConfig(cfg, 'table');
      };
      lab.append(inp);
      prec.append(lab);
    }
    const rf = document.createElement('td');
    const rfIn = document.createElement('input');
    rfIn.type = 'number';
    rfIn.min = '1';
    rfIn.className = 'rf';
    rfIn.value = s.ReuseFactor === undefined ? '' : String(s.ReuseFactor);
    rfIn.placeholder = 'inherit';
    rfIn.onchange = () => {
      if (rfIn.value === '') delete s.ReuseFactor;
      else s.ReuseFactor = Number(rfIn.value);
      setConfig(cfg, 'table');
    };
    rf.append(rfIn);
    const st = document.createElement('td');
    const sel = document.createElement('select');
    sel.className = 'strategy';
    for (const o of ['', ...STRATEGIES]) sel.append(new Option(o || 'inherit', o));
    sel.value = typeof s.Strategy === 'string' ? s.Strategy : '';
    sel.onchange = () => {
      if (sel.value === '') delete s.Strategy;
      else s.Strategy = sel.value;
      setConfig(cfg, 'table');
    };
    st.append(sel);
    tr.append(name, prec, rf, st);
    body.append(tr);
  }
}

function applyRaw(): void {
  try {
    const v = parseYaml($<HTMLTextAreaElement>('config-raw').value) as unknown;
    if (!v || typeof v !== 'object' || !('Model' in v)) throw new Error('expected a config with a Model section');
    setConfig(v as Hls4mlConfig, 'raw');
    setStatus('config applied', 'ok');
  } catch (e) {
    setStatus(`config: ${(e as Error).message}`, 'error');
  }
}

// ---- predict ----

function parseSamples(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)\s*(?:-|\.\.)\s*(\d+)$/.exec(part);
    if (m) for (let i = Number(m[1]); i <= Number(m[2]); i++) out.push(i);
    else if (/^\d+$/.test(part)) out.push(Number(part));
    else throw new Error(`samples: '${part}' is not an index or a range a-b`);
  }
  if (!out.length) throw new Error('samples: none chosen');
  return out;
}

const fmt = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(3) : v.toFixed(4)) : '–');

function showPredict(o: PredictOut): void {
  state.predict = o;
  const ok = o.labels ? o.predictions.filter((p, i) => p === o.labels![i]).length : undefined;
  $('predict-summary').textContent =
    `${o.n} samples, output ${o.type}; ${ok !== undefined ? `${ok}/${o.n} correct; ` : ''}predictions ${o.predictions.join(' ')}; ` +
    `${o.fastLayers}/${o.layers} layers on the fast (WebAssembly / typed-array) kernels; ${o.seconds.toFixed(3)} s`;
  const body = $('trace-table').querySelector('tbody')!;
  body.replaceChildren();
  for (const t of o.trace) {
    const tr = document.createElement('tr');
    tr.dataset.layer = t.layer;
    if (t.wrapped + t.saturated > 0) tr.className = 'overflow';
    for (const c of [t.layer, t.cls, `[${t.shape.join('×')}]`, t.type, fmt(t.min), fmt(t.max), t.head.map(fmt).join(' '), String(t.wrapped), String(t.saturated), t.lut]) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    body.append(tr);
  }
  $('report').textContent = o.reportText;
}

// ---- scan ----

function drawChart(points: ScanPointOut[]): void {
  const svg = $('scan-chart');
  const W = 520;
  const H = 220;
  const pad = 36;
  const widths = points.map((p) => p.width);
  const lo = widths.length ? Math.max(1, Math.min(...widths) - 1) : 2;
  const hi = widths.length ? Math.max(...widths) + 1 : 16;
  const x = (w: number) => pad + ((w - lo) / Math.max(1, hi - lo)) * (W - 2 * pad);
  const y = (a: number) => H - pad - a * (H - 2 * pad);
  const pts = points.filter((p) => p.accuracy !== undefined || p.agreement !== undefined).sort((a, b) => a.width - b.width);
  const line = (key: 'accuracy' | 'agreement') =>
    pts.filter((p) => p[key] !== undefined).map((p, i) => `${i ? 'L' : 'M'}${x(p.width).toFixed(1)},${y(p[key]!).toFixed(1)}`).join(' ');
  const ticks = [];
  for (let w = lo; w <= hi; w++) ticks.push(`<text x="${x(w)}" y="${H - pad + 14}" text-anchor="middle">${w}</text>`);
  svg.innerHTML =
    `<rect x="${pad}" y="${pad}" width="${W - 2 * pad}" height="${H - 2 * pad}" class="frame"/>` +
    [0, 0.5, 1].map((a) => `<text x="${pad - 4}" y="${y(a) + 4}" text-anchor="end">${a * 100}%</text>`).join('') +
    ticks.join('') +
    `<text x="${W / 2}" y="${H - 4}" text-anchor="middle">bit width W</text>` +
    `<path d="M${pad + 8},${pad - 12} h18" class="acc"/><text x="${pad + 30}" y="${pad - 8}">accuracy</text>` +
    `<path d="M${pad + 100},${pad - 12} h18" class="agr"/><text x="${pad + 122}" y="${pad - 8}">agreement with the float model</text>` +
    `<path d="${line('accuracy')}" class="acc"/><path d="${line('agreement')}" class="agr"/>` +
    pts.map((p) => `<circle cx="${x(p.width)}" cy="${y(p.accuracy ?? p.agreement ?? 0)}" r="3" class="${p.overflowTotal ? 'ovf' : 'pt'}"><title>${p.type}: ${p.accuracy !== undefined ? (100 * p.accuracy).toFixed(2) + '% accuracy, ' : ''}${p.overflowTotal} overflows</title></circle>`).join('');
  const body = $('scan-table').querySelector('tbody')!;
  body.replaceChildren();
  for (const p of [...points].sort((a, b) => a.series.localeCompare(b.series) || b.width - a.width)) {
    const tr = document.createElement('tr');
    for (const c of [p.series, p.type, p.accuracy !== undefined ? `${(100 * p.accuracy).toFixed(2)}%` : '–', p.agreement !== undefined ? `${(100 * p.agreement).toFixed(1)}%` : '–', String(p.overflowTotal), p.error ?? '']) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    body.append(tr);
  }
}

// ---- downloads ----

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---- wiring ----

function wire(): void {
  $('btn-example').onclick = () =>
    void job('loading the Fashion-MNIST example', async () => {
      const msg: Request = { kind: 'example', files: await exampleFiles };
      const r = await call(msg, onProgress);
      if (r.kind === 'model') {
        replay = [msg];
        showModel(r.model, r.data);
        $<HTMLInputElement>('samples').value = '0-19';
      }
    });
  const fileModel = $<HTMLInputElement>('file-model');
  fileModel.onchange = () => fileModel.files && fileModel.files.length && void loadFiles(fileModel.files).finally(() => (fileModel.value = ''));
  const fileData = $<HTMLInputElement>('file-data');
  fileData.onchange = () => fileData.files && fileData.files.length && void loadFiles(fileData.files).finally(() => (fileData.value = ''));
  const drop = $('drop');
  drop.ondragover = (e) => {
    e.preventDefault();
    drop.classList.add('over');
  };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer?.files.length) void loadFiles(e.dataTransfer.files);
  };
  $('btn-cancel').onclick = () => cancel();
  $<HTMLSelectElement>('raw-format').onchange = () => renderRaw();
  $('btn-raw-apply').onclick = () => applyRaw();
  $<HTMLSelectElement>('io-type').onchange = () => {
    state.config!.IOType = $<HTMLSelectElement>('io-type').value as 'io_parallel' | 'io_stream';
    setConfig(state.config!, 'table');
  };
  $('btn-defaults').onclick = () =>
    void job('default config', async () => {
      const r = await call({ kind: 'defaults', granularity: $<HTMLSelectElement>('granularity').value as 'model' | 'name' });
      if (r.kind === 'defaults') setConfig(r.config);
    });
  $('btn-predict').onclick = () =>
    void job('predict', async () => {
      const samples = parseSamples($<HTMLInputElement>('samples').value);
      const r = await call({ kind: 'predict', config: state.config!, samples }, onProgress);
      if (r.kind === 'predict') showPredict(r.out);
    });
  $('btn-scan').onclick = () =>
    void job('bit-width scan', async () => {
      state.points = [];
      state.scan = undefined;
      drawChart([]);
      const r = await call(
        { kind: 'scan', config: state.config!, widths: $<HTMLInputElement>('widths').value, integerBits: Number($<HTMLInputElement>('int-bits').value), limit: Number($<HTMLInputElement>('scan-limit').value) },
        (e) => {
          if (e.kind === 'point') {
            state.points.push(e.point);
            drawChart(state.points);
          } else onProgress(e);
        },
      );
      if (r.kind === 'scan') state.scan = { csv: r.csv, json: r.json, svg: r.svg };
    });
  $('btn-profile').onclick = () =>
    void job('profile', async () => {
      const r = await call({ kind: 'profile', config: state.config!, limit: Number($<HTMLInputElement>('scan-limit').value) }, onProgress);
      if (r.kind === 'profile') {
        $('profile-table').textContent = r.table;
        $('profile-weights').innerHTML = r.weightsSvg;
        $('profile-activations').innerHTML = r.activationsSvg;
      }
    });
  $('dl-yaml').onclick = () => download('hls4ml_config.yml', toYaml(state.config), 'application/yaml');
  $('dl-json').onclick = () => download('hls4ml_config.json', JSON.stringify(state.config, null, 2) + '\n', 'application/json');
  const needScan = () => {
    if (!state.scan) throw new Error('run a scan first');
    return state.scan;
  };
  const guard = (f: () => void) => () => {
    try {
      f();
    } catch (e) {
      setStatus((e as Error).message, 'error');
    }
  };
  $('dl-csv').onclick = guard(() => download('scan.csv', needScan().csv, 'text/csv'));
  $('dl-scan-json').onclick = guard(() => download('scan.json', needScan().json, 'application/json'));
  $('dl-svg').onclick = guard(() => download('scan.svg', needScan().svg, 'image/svg+xml'));
  $('dl-project').onclick = () =>
    void job('HLS project', async () => {
      const name = $<HTMLInputElement>('project-name').value || 'myproject';
      const r = await call({ kind: 'project', config: state.config!, name });
      if (r.kind === 'project') {
        download(`${r.name}.zip`, r.zip, 'application/zip');
        $('project-info').textContent = `${r.name}.zip: ${r.files.length} files${r.warnings.length ? `; warnings: ${r.warnings.join('; ')}` : ''}`;
      }
    });
  let pings = 0;
  $('ping').onclick = (e) => {
    const handler = performance.now() - e.timeStamp;
    $('ping-count').textContent = String(++pings);
    requestAnimationFrame(() => setTimeout(() => state.pings.push({ handler, frame: performance.now() - e.timeStamp }), 0));
  };
}

/** The example's files, fetched with the page (so that it also loads offline). */
const exampleFiles: Promise<FileList_> = Promise.all(
  Object.entries(EXAMPLE_URLS).map(async ([rel, url]) => {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`cannot fetch ${url}: HTTP ${r.status}`);
    return [rel, await r.arrayBuffer()] as [string, ArrayBuffer];
  }),
);
let exampleLoaded = false;
exampleFiles.then(
  () => {
    exampleLoaded = true;
    updateReady();
  },
  (e: Error) => setStatus(`the example files did not load: ${e.message}`, 'error'),
);

startWorker();
wire();
