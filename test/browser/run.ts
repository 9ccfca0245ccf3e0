/**
 * The playground in a real browser: Debian's Chromium (/usr/bin/chromium, or $CHROMIUM), headless,
 * driven by playwright-core (which downloads no browser), against the built static page.
 *
 *   npm run test:browser
 *
 * Builds web/ with vite, serves web/dist as static files, then checks that
 * - the bundled example loads, and predict on 20 images gives the CLI's outputs and every layer's
 *   trace, bit for bit (`hlsemu predict --json` with the page's own config);
 * - a scan of widths 16..12 on 200 images gives the CLI's scan.json (`hlsemu scan --example`), point
 *   for point (timings aside), and the page's scan.csv equals the CLI's (timings aside);
 * - a click on the page during the scan is handled within 200 ms (the work is in a Web Worker);
 * - the downloaded HLS project zip holds exactly the Node API's renderProject files;
 * - a Keras .h5 dropped through the file input (with an .npy of inputs) gives the Node API's trace;
 * - model files set on the file input — a Keras 3 .keras archive, a tfjs model.json with three
 *   weight shards (the same network: both must also agree), a QKeras topology .json with its
 *   _weights.h5, ONNX and QONNX test models, and the QONNX-zoo models of /work/shared when present
 *   (skipped with a message otherwise) — give `hlsemu predict --trace --json`'s outputs and every
 *   layer's trace on the same files, config and inputs, bit for bit;
 * - a model.json without all its shards, and an .npy that does not fit the model, show a typed
 *   error in the page (FormatError, ShapeError) and leave the loaded model and data in place;
 * - profile, cancel (the page recovers and predicts again);
 * Once the page has loaded, the browser is put offline: every step runs from what the page loaded.
 * Screenshots of each step go to test/browser/output/. Ends with `N passed, M failed` (`, K skipped`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type * as TF from '@tensorflow/tfjs';
import { chromium, type Page } from 'playwright-core';
import '../../src/node/register.js';
import { Emulator, convertModel, loadBundledFashionMnist, loadModel, renderProject, type Hls4mlConfig } from '../../src/index.js';
import { encodeNpy } from '../../src/io/npy.js';
import { uniform } from '../../src/util/random.js';
import { kerasWeightsOf, loadTf, randomizeWeights, saveTfjsModel, toKeras2Topology, writeKeras3Archive, writeKerasH5 } from '../import/helpers.js';
import type { DataInfo, ModelInfo, PredictOut } from '../../web/src/protocol.js';
import { serveStatic } from './serve.js';

const ROOT = join(import.meta.dirname, '..', '..');
const OUT = join(import.meta.dirname, 'output');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const STEP_TIMEOUT = 180_000;
/** QONNX-zoo models read in place when this machine has them (no licence to copy them into the project). */
const SHARED_QONNX_ZOO = process.env.HLSEMU_QONNX_ZOO ?? '/work/shared/models/qonnx_zoo';

let passed = 0;
let failed = 0;
let skipped = 0;
const skip = (name: string, why: string) => {
  skipped++;
  console.log(`skip ${name} — ${why}`);
};
const check = (name: string, ok: boolean, detail = '') => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
};

/** Run the CLI (from source, as `npx hlsemu` would run the built one). */
function cli(args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: '1' } });
}

/** A scan.json without what depends on the machine (timings). */
function stripTimes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripTimes);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => !/seconds|perSecond|^ms$|time|source|title/i.test(k)).map(([k, x]) => [k, stripTimes(x)]));
  }
  return v;
}

/** CSV rows without the columns whose header names a time. */
function csvNoTimes(csv: string): string[] {
  const cells = (l: string) => l.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
  const rows = csv.trim().split('\n').map(cells);
  const keep = rows[0]!.map((h) => h !== 'seconds');
  return rows.map((r) => r.filter((_, i) => keep[i]).join(','));
}

/** The first path where two JSON values differ ('' when equal). */
function jsonDiff(a: unknown, b: unknown, path = '$'): string {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = jsonDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return '';
  }
  return JSON.stringify(a) === JSON.stringify(b) ? '' : `${path}: page ${JSON.stringify(a)?.slice(0, 120)} vs CLI ${JSON.stringify(b)?.slice(0, 120)}`;
}

function firstDiff(a: unknown[], b: unknown[]): string {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  const i = a.findIndex((x, k) => String(x) !== String(b[k]));
  return i < 0 ? '' : `first difference at ${i}: ${String(a[i])} vs ${String(b[i])}`;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

type PageState = {
  model?: ModelInfo;
  data?: DataInfo;
  config?: Hls4mlConfig;
  predict?: PredictOut;
  scan?: { csv: string; json: string; svg: string };
  points: unknown[];
  busy: boolean;
  lastError: string;
};
/** The page's state, passed as one JSON string: Playwright's own value serialisation takes ~40 s for a trace of 2.4M values. */
const pageState = async (page: Page) => JSON.parse((await page.evaluate('JSON.stringify(window.hlsemu)')) as string) as PageState;

async function waitIdle(page: Page, what: string): Promise<void> {
  await page.waitForFunction('!window.hlsemu.busy', undefined, { timeout: STEP_TIMEOUT });
  const status = await page.textContent('#status');
  if (/error|Error/.test(await page.getAttribute('#status', 'class') ?? '')) throw new Error(`${what}: ${status}`);
}

/** `n` samples of `shape` drawn from the project's seeded generator, uniform in [-scale, scale). */
function inputs(n: number, shape: number[], seed: number, scale: number): Float32Array {
  const r = uniform(seed);
  return Float32Array.from({ length: n * shape.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) * scale);
}

interface Drop {
  /** What is dropped, for the check's name. */
  label: string;
  /** The model files, set together on the page's model file input (in this order). */
  files: string[];
  /** `n` samples of the model's input shape. */
  x: Float32Array;
  n: number;
}

/**
 * Sets model files on the page's file input, then an .npy of `x` on the data input, predicts every
 * sample with the page's default config, and checks the outputs and every layer's trace against
 * `hlsemu predict --trace --json` on the same model file, config and .npy. Returns the page's
 * result, or undefined when the page showed an error.
 */
async function dropAndCompare(page: Page, d: Drop): Promise<PredictOut | undefined> {
  const names = d.files.map((f) => basename(f));
  const entry = d.files.find((f) => !f.endsWith('.bin'))!;
  const slug = basename(entry).replace(/\W+/g, '_');
  const t0 = performance.now();
  try {
    await page.evaluate("window.hlsemu.lastError = ''");
    await page.setInputFiles('#file-model', d.files);
    await page.waitForFunction(`window.hlsemu.model?.source === ${JSON.stringify(names.join(' + '))} || window.hlsemu.lastError !== ''`);
    await waitIdle(page, `loading ${d.label}`);
    const shape = (await page.evaluate('window.hlsemu.model.inputShape')) as number[];
    const npy = join(OUT, `${slug}_x.npy`);
    writeFileSync(npy, encodeNpy(d.x, [d.n, ...shape], '<f4'));
    await page.setInputFiles('#file-data', npy);
    await page.waitForFunction(`window.hlsemu.data?.source === ${JSON.stringify(basename(npy))} || window.hlsemu.lastError !== ''`);
    await waitIdle(page, `data for ${d.label}`);
    await page.fill('#samples', `0-${d.n - 1}`);
    await page.click('#btn-predict');
    await page.waitForFunction("!!window.hlsemu.predict || window.hlsemu.lastError !== ''");
    await waitIdle(page, `predict ${d.label}`);
    const st = await pageState(page);
    await shot(page, `drop-${slug}`);
    const cfg = join(OUT, `${slug}_config.json`);
    writeFileSync(cfg, JSON.stringify(st.config, null, 2));
    const ref = JSON.parse(cli(['predict', '--model', entry, '--config', cfg, '--input', npy, '--trace', '--json'])) as { outputs: { raw: (number | string)[][] }; trace: Record<string, { raw: (number | string)[][] }> };
    const p = st.predict!;
    const refRaw = ref.outputs.raw.flat();
    let detail = firstDiff(p.raw, refRaw);
    const layers = Object.entries(ref.trace);
    for (const [layer, t] of layers) {
      if (detail) break;
      const mine = p.trace.find((r) => r.layer === layer);
      const diff = mine ? firstDiff(mine.raw, t.raw.flat()) : 'missing in the page';
      if (diff) detail = `${layer}: ${diff}`;
    }
    const traced = p.trace.filter((r) => r.raw.length > 0).length;
    if (!detail && traced !== layers.length) detail = `${traced} traced layers in the page, ${layers.length} from the CLI`;
    check(
      `${d.label} set on the file input: predict on ${d.n} sample${d.n === 1 ? '' : 's'} gives the CLI's outputs and every layer's trace, bit for bit`,
      detail === '' && p.n === d.n && layers.length > 0,
      detail || `${layers.length} layers, ${refRaw.length} output values, ${p.trace.reduce((a, r) => a + r.raw.length, 0)} traced values; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    return p;
  } catch (e) {
    check(`${d.label} set on the file input gives the CLI's outputs`, false, (e as Error).message.split('\n')[0]!);
    return undefined;
  }
}

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  if (!existsSync(CHROMIUM)) {
    console.log(`FAIL no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
    return;
  }

  // ---- build the static page ----
  const b = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(ROOT, 'web/vite.config.ts'), '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
  check('vite builds the playground into static files', b.status === 0 && existsSync(join(ROOT, 'web/dist/index.html')), b.status === 0 ? '' : b.stderr.slice(-2000));
  if (b.status !== 0) return;

  const { server, url } = await serveStatic(join(ROOT, 'web/dist'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.setDefaultTimeout(STEP_TIMEOUT);
    await page.goto(url);
    await page.waitForFunction('window.hlsemu.ready');
    // From here on the page is offline: everything it does runs from what it loaded.
    await context.setOffline(true);
    await shot(page, '01-page');

    // ---- the bundled example ----
    await page.click('#btn-example');
    await page.waitForFunction('!!window.hlsemu.model');
    await waitIdle(page, 'example');
    let st = await pageState(page);
    check('offline, the bundled Fashion-MNIST example loads (model + 1,000 images)', st.model?.name === 'fmnist_cnn' && st.data?.n === 1000, `${st.model?.name}, ${st.data?.n} samples`);
    await shot(page, '02-example-loaded');

    // ---- predict on 20 images vs the CLI ----
    await page.fill('#samples', '0-19');
    await page.click('#btn-predict');
    await page.waitForFunction('!!window.hlsemu.predict');
    await waitIdle(page, 'predict');
    st = await pageState(page);
    await shot(page, '03-predict-trace');
    const dlCfg = page.waitForEvent('download');
    await page.click('#dl-json');
    const cfgPath = join(OUT, 'hls4ml_config.json');
    await (await dlCfg).saveAs(cfgPath);
    check('the config downloads as JSON (the page config)', JSON.stringify(JSON.parse(readFileSync(cfgPath, 'utf8'))) === JSON.stringify(st.config));
    const fm = await loadBundledFashionMnist(20);
    const npy = join(OUT, 'fmnist20.npy');
    writeFileSync(npy, encodeNpy(fm.images, [20, 28, 28, 1], '<f4'));
    const cliPredict = JSON.parse(cli(['predict', '--model', 'models/fmnist/model.json', '--config', cfgPath, '--input', npy, '--trace', '--report', '--json'])) as {
      outputs: { raw: (number | string)[][] };
      trace: Record<string, { raw: (number | string)[][] }>;
    };
    const p = st.predict!;
    const cliRaw = cliPredict.outputs.raw.flat();
    check('predict on 20 images: the outputs equal the CLI\'s, bit for bit', firstDiff(p.raw, cliRaw) === '', firstDiff(p.raw, cliRaw) || `${cliRaw.length} raw values`);
    let traceOk = true;
    let traceDetail = '';
    for (const [layer, t] of Object.entries(cliPredict.trace)) {
      const mine = p.trace.find((r) => r.layer === layer);
      const d = mine ? firstDiff(mine.raw, t.raw.flat()) : 'missing in the page';
      if (d) {
        traceOk = false;
        traceDetail = `${layer}: ${d}`;
        break;
      }
    }
    check(`predict: every layer's trace equals the CLI's (${Object.keys(cliPredict.trace).length} layers)`, traceOk && Object.keys(cliPredict.trace).length > 0, traceDetail);
    check('the page runs the fast kernels (WebAssembly / typed arrays)', p.fastLayers > 0, `${p.fastLayers}/${p.layers} layers`);

    // ---- scan 16..12 on 200 images vs the CLI, responsiveness during the scan ----
    await page.fill('#widths', '16..12');
    await page.fill('#scan-limit', '200');
    await page.click('#btn-scan');
    await page.waitForFunction('window.hlsemu.busy');
    // Latency of a click as the page sees it: from the input event to its handler having run and
    // the next frame (the Event Timing way); the round trip through the test driver is shown too.
    const roundTrip: number[] = [];
    let duringScan = 0;
    for (let k = 0; k < 5; k++) {
      const before = Number(await page.textContent('#ping-count'));
      const t0 = performance.now();
      await page.click('#ping', { force: true, timeout: 5000 });
      await page.waitForFunction(`window.hlsemu.pings.length > ${before}`);
      roundTrip.push(performance.now() - t0);
      if (await page.evaluate('window.hlsemu.busy')) duringScan++;
      if (k === 1) await shot(page, '04-scan-running');
    }
    const pings = (await page.evaluate('window.hlsemu.pings')) as { handler: number; frame: number }[];
    const worst = Math.max(...pings.map((p) => p.frame));
    check(
      'a click during the scan is handled (and painted) within 200 ms',
      duringScan > 0 && pings.length === 5 && worst < 200,
      `input → next frame ${pings.map((p) => p.frame.toFixed(0)).join(', ')} ms; with the test driver's round trip ${roundTrip.map((x) => x.toFixed(0)).join(', ')} ms; ${duringScan} of 5 while the scan ran`,
    );
    await page.waitForFunction('!!window.hlsemu.scan');
    await waitIdle(page, 'scan');
    st = await pageState(page);
    await shot(page, '05-scan-done');
    // The picture for the docs: the trace and the scan, without the long report text.
    await page.evaluate("document.getElementById('report').style.display = 'none'; document.getElementById('bar').style.position = 'static'");
    const [y0, y1] = (await page.evaluate(
      "(() => { const a = document.getElementById('sec-predict').getBoundingClientRect(); const b = document.getElementById('sec-scan').getBoundingClientRect(); return [a.top + scrollY, b.bottom + scrollY]; })()",
    )) as [number, number];
    await page.screenshot({ path: join(OUT, 'playground.png'), fullPage: true, clip: { x: 0, y: y0 - 8, width: 1280, height: y1 - y0 + 16 } });
    await page.evaluate("document.getElementById('report').style.display = ''; document.getElementById('bar').style.position = ''");
    const cliOut = join(OUT, 'cli-scan');
    cli(['scan', '--example', 'fashion-mnist', '--widths', '16..12', '--limit', '200', '--config', cfgPath, '--out', cliOut, '--quiet']);
    const cliScan = stripTimes(JSON.parse(readFileSync(join(cliOut, 'scan.json'), 'utf8')));
    const webScan = stripTimes(JSON.parse(st.scan!.json));
    const diff = jsonDiff(webScan, cliScan);
    check('scan 16..12 on 200 images: scan.json equals the CLI\'s (timings aside)', diff === '', diff);
    const csvSame = JSON.stringify(csvNoTimes(st.scan!.csv)) === JSON.stringify(csvNoTimes(readFileSync(join(cliOut, 'scan.csv'), 'utf8')));
    check('scan.csv equals the CLI\'s (timings aside)', csvSame);
    check('the live chart drew every point', st.points.length === 5 && (await page.locator('#scan-chart circle').count()) === 5, `${st.points.length} points`);
    for (const [btn, name] of [['#dl-csv', 'scan.csv'], ['#dl-scan-json', 'scan.json'], ['#dl-svg', 'scan.svg']] as const) {
      const d = page.waitForEvent('download');
      await page.click(btn);
      const dl = await d;
      await dl.saveAs(join(OUT, `page-${name}`));
      check(`${name} downloads`, dl.suggestedFilename() === name && readFileSync(join(OUT, `page-${name}`), 'utf8').length > 50);
    }

    // ---- the HLS project zip vs the Node API ----
    const dz = page.waitForEvent('download');
    await page.click('#dl-project');
    const zipDl = await dz;
    await zipDl.saveAs(join(OUT, 'myproject.zip'));
    await waitIdle(page, 'project');
    const zip = unzipSync(new Uint8Array(readFileSync(join(OUT, 'myproject.zip'))));
    const fmModel = await loadModel(join(ROOT, 'models/fmnist/model.json'));
    const ref = renderProject(convertModel(fmModel, st.config!), { name: 'myproject' });
    const zipOk = Object.keys(zip).length === ref.files.size && [...ref.files].every(([rel, text]) => zip[`myproject/${rel}`] && strFromU8(zip[`myproject/${rel}`]!) === text);
    check('the HLS project zip holds the Node API\'s files, byte for byte', zipOk, `${Object.keys(zip).length} files in the zip, ${ref.files.size} from renderProject`);
    await shot(page, '06-downloads');

    // ---- profile ----
    await page.click('#btn-profile');
    await waitIdle(page, 'profile');
    check('the profile plots render', (await page.locator('#profile-weights svg').count()) === 1 && (await page.locator('#profile-activations svg').count()) === 1);
    await shot(page, '07-profile');

    // ---- cancel: the page recovers with the same model and data ----
    await page.fill('#widths', '16..4');
    await page.fill('#scan-limit', '1000');
    await page.click('#btn-scan');
    await page.waitForFunction('window.hlsemu.busy');
    await page.waitForTimeout(300);
    await page.click('#btn-cancel');
    await page.waitForFunction('!window.hlsemu.busy');
    const cancelled = /cancelled/.test((await page.textContent('#status')) ?? '');
    await page.fill('#samples', '0-3');
    await page.click('#btn-predict');
    await waitIdle(page, 'predict after cancel').catch(() => undefined);
    st = await pageState(page);
    check('cancel stops a scan and the page predicts again after it', cancelled && st.predict?.raw.length === 40 && firstDiff(st.predict.raw, cliRaw.slice(0, 40)) === '', `status cancelled: ${cancelled}`);
    await shot(page, '08-after-cancel');

    // ---- a Keras .h5 dropped through the file input ----
    const tf = await loadTf();
    const km = tf.sequential({
      name: 'small_mlp',
      layers: [tf.layers.dense({ inputShape: [12], units: 16, activation: 'relu', name: 'fc1' }), tf.layers.dense({ units: 8, activation: 'tanh', name: 'fc2' }), tf.layers.dense({ units: 4, activation: 'softmax', name: 'out' })],
    });
    randomizeWeights(tf, km, 7);
    const h5 = join(OUT, 'small_mlp.h5');
    await writeKerasH5(h5, kerasWeightsOf(km), { modelConfig: toKeras2Topology(km) });
    const xs = Float32Array.from({ length: 5 * 12 }, (_, i) => Math.sin(i * 0.7) * 2);
    const xNpy = join(OUT, 'small_mlp_x.npy');
    writeFileSync(xNpy, encodeNpy(xs, [5, 12], '<f4'));
    await page.setInputFiles('#file-model', h5);
    await page.waitForFunction("window.hlsemu.model?.name !== 'fmnist_cnn'");
    await waitIdle(page, 'keras h5');
    await page.setInputFiles('#file-data', xNpy);
    await page.waitForFunction('window.hlsemu.data?.n === 5');
    await waitIdle(page, 'npy');
    await page.fill('#samples', '0-4');
    await page.click('#btn-predict');
    await page.waitForFunction('!!window.hlsemu.predict');
    await waitIdle(page, 'predict keras');
    st = await pageState(page);
    await shot(page, '09-keras-h5-trace');
    const kModel = await loadModel(h5);
    const kr = new Emulator(convertModel(kModel, st.config!)).predict({ data: Float64Array.from(xs), shape: [5, 12] }, { trace: true });
    let kOk = (st.model?.layers.length ?? 0) === kModel.layers.length;
    let kDetail = `${Object.keys(kr.trace!).length} traced layers`;
    for (const [layer, t] of Object.entries(kr.trace!)) {
      const mine = st.predict!.trace.find((r) => r.layer === layer);
      const d = mine ? firstDiff(mine.raw, Array.from(t.raw as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v.toString() : v))) : 'missing';
      if (d) {
        kOk = false;
        kDetail = `${layer}: ${d}`;
        break;
      }
    }
    check('a Keras .h5 dropped through the file input: every layer\'s trace equals the Node API\'s', kOk && st.predict!.trace.length > 0, kDetail);

    // ---- model files dropped through the file input vs the CLI on the same files ----
    // One network as a Keras 3 .keras archive and as a tfjs model.json with three weight shards:
    // the page and the CLI must agree on each, and the two forms on each other.
    const cnn = (() => {
      const input = tf.input({ shape: [8, 8, 2], name: 'image' });
      let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }).apply(input) as TF.SymbolicTensor;
      h = tf.layers.batchNormalization({ name: 'bn' }).apply(h) as TF.SymbolicTensor;
      h = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(h) as TF.SymbolicTensor;
      h = tf.layers.flatten({ name: 'flat' }).apply(h) as TF.SymbolicTensor;
      h = tf.layers.dense({ units: 8, activation: 'tanh', name: 'fc1' }).apply(h) as TF.SymbolicTensor;
      const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(h) as TF.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out, name: 'small_cnn' });
    })();
    randomizeWeights(tf, cnn, 11);
    const kerasPath = join(OUT, 'small_cnn.keras');
    await writeKeras3Archive(kerasPath, cnn);
    const tfjsJson = await saveTfjsModel(cnn, join(OUT, 'small_cnn_tfjs'), 3);
    const shards = [1, 2, 3].map((i) => join(OUT, 'small_cnn_tfjs', `group1-shard${i}of3.bin`));
    const cnnX = inputs(4, [8, 8, 2], 21, 2);
    const fromKeras = await dropAndCompare(page, { label: 'a Keras 3 .keras archive', files: [kerasPath], x: cnnX, n: 4 });
    const fromTfjs = await dropAndCompare(page, { label: 'a tfjs model.json with 3 weight shards', files: [...shards.slice(0, 2), tfjsJson, shards[2]!], x: cnnX, n: 4 });
    check('the .keras archive and the tfjs shards of one network give the same outputs in the page', !!fromKeras && !!fromTfjs && firstDiff(fromKeras.raw, fromTfjs.raw) === '', fromKeras && fromTfjs ? firstDiff(fromKeras.raw, fromTfjs.raw) : 'a drop failed');

    // A Keras 2 topology .json with its _weights.h5: the project's QKeras example (test/golden/import).
    const QK = join(ROOT, 'test/golden/import/qkeras_example');
    await dropAndCompare(page, { label: 'a QKeras topology .json with its _weights.h5', files: [join(QK, 'qkeras_example.json'), join(QK, 'qkeras_example_weights.h5')], x: inputs(6, [JSON.parse(readFileSync(join(QK, 'inputs.json'), 'utf8'))[0].length], 3, 4), n: 6 });

    // A model.json dropped without all its shards: the page shows the importer's typed error and keeps the model it had.
    const before = (await pageState(page)).model?.source;
    await page.evaluate("window.hlsemu.lastError = ''");
    await page.setInputFiles('#file-model', [tfjsJson, shards[0]!]);
    await page.waitForFunction("window.hlsemu.lastError !== '' && !window.hlsemu.busy");
    const shardErr = (await page.textContent('#status')) ?? '';
    st = await pageState(page);
    check('a model.json dropped without all its shards: the page shows a FormatError naming the missing shard (as dropped) and keeps its model', /FormatError: group1-shard2of3\.bin: weight shard 'group1-shard2of3\.bin' .* not found$/.test(shardErr) && st.model?.source === before, `status: ${shardErr}; model ${st.model?.source}`);
    await shot(page, '10-missing-shard');

    // ONNX / QONNX: the project's QONNX test models (Apache-2.0, test/fixtures/onnx/qonnx).
    const QONNX = join(ROOT, 'test/fixtures/onnx/qonnx');
    await dropAndCompare(page, { label: 'an ONNX model (mnist-conv_model.onnx)', files: [join(QONNX, 'mnist-conv_model.onnx')], x: inputs(3, [28, 28, 1], 5, 1), n: 3 });
    await dropAndCompare(page, { label: 'a QONNX model with a Quant node (eltwise_chanlast_testcase.onnx)', files: [join(QONNX, 'eltwise_chanlast_testcase.onnx')], x: inputs(1, [224, 224, 3], 6, 4), n: 1 });
    // QONNX-zoo models with quantised weights, when this machine has them (never copied into the project).
    for (const [file, shape] of [['TFC_2W2A.onnx', [1, 28, 28]], ['kwsmlp_w3a3.onnx', [1, 10, 49]]] as const) {
      const path = join(SHARED_QONNX_ZOO, file);
      if (!existsSync(path)) {
        skip(`a QONNX-zoo model (${file})`, `${path} is absent`);
        continue;
      }
      await dropAndCompare(page, { label: `a QONNX-zoo model (${file})`, files: [path], x: inputs(4, [...shape], 9, 1), n: 4 });
    }
    // Data that does not fit the model: a typed error in the page, and the data loaded before stays.
    const dataBefore = (await pageState(page)).data?.source;
    const badNpy = join(OUT, 'seven_values.npy');
    writeFileSync(badNpy, encodeNpy(Float32Array.from([1, 2, 3, 4, 5, 6, 7]), [7, 1], '<f4'));
    await page.evaluate("window.hlsemu.lastError = ''");
    await page.setInputFiles('#file-data', badNpy);
    await page.waitForFunction("window.hlsemu.lastError !== '' && !window.hlsemu.busy");
    const dataErr = (await page.textContent('#status')) ?? '';
    check('an .npy that is not whole samples of the input shape: the page shows a ShapeError naming the file and keeps its data', /ShapeError: seven_values\.npy: 7 values are not a whole number of samples/.test(dataErr) && (await pageState(page)).data?.source === dataBefore, dataErr);

    check('no errors in the page console', consoleErrors.length === 0, consoleErrors.slice(0, 3).join(' | '));
    await context.close();
  } catch (e) {
    const page = browser.contexts()[0]?.pages()[0];
    const status = page ? await page.textContent('#status').catch(() => '') : '';
    if (page) await shot(page, '99-failure').catch(() => undefined);
    check('the browser run completes', false, `${(e as Error).message.split('\n')[0]} (page status: ${status})`);
  } finally {
    await browser.close();
    server.close();
  }
}

await main().catch((e: unknown) => check('the browser test runs', false, String(e)));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed ? 1 : 0;
