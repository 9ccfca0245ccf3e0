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
 * - profile, cancel (the page recovers and predicts again);
 * Once the page has loaded, the browser is put offline: every step runs from what the page loaded.
 * Screenshots of each step go to test/browser/output/. Ends with `N passed, M failed`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { chromium, type Page } from 'playwright-core';
import '../../src/node/register.js';
import { Emulator, convertModel, loadBundledFashionMnist, loadModel, renderProject, type Hls4mlConfig } from '../../src/index.js';
import { encodeNpy } from '../../src/io/npy.js';
import { kerasWeightsOf, loadTf, randomizeWeights, toKeras2Topology, writeKerasH5 } from '../import/helpers.js';
import { serveStatic } from './serve.js';

const ROOT = join(import.meta.dirname, '..', '..');
const OUT = join(import.meta.dirname, 'output');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const STEP_TIMEOUT = 180_000;

let passed = 0;
let failed = 0;
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
  model?: { name: string; layers: unknown[] };
  data?: { n: number };
  config?: Hls4mlConfig;
  predict?: { raw: (number | string)[]; predictions: number[]; trace: { layer: string; raw: (number | string)[]; type: string }[]; fastLayers: number; layers: number };
  scan?: { csv: string; json: string; svg: string };
  points: unknown[];
  busy: boolean;
  lastError: string;
};
const pageState = (page: Page) => page.evaluate('window.hlsemu') as Promise<PageState>;

async function waitIdle(page: Page, what: string): Promise<void> {
  await page.waitForFunction('!window.hlsemu.busy', undefined, { timeout: STEP_TIMEOUT });
  const st = await pageState(page);
  const status = await page.textContent('#status');
  if (/error|Error/.test(await page.getAttribute('#status', 'class') ?? '')) throw new Error(`${what}: ${status}`);
  void st;
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
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
