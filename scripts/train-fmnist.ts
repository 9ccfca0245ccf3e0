/**
 * Trains the hls4ml CNN-paper architecture (Aarrestad et al., "Fast convolutional neural networks on
 * FPGAs with hls4ml", 2021), adapted to 28x28x1 Fashion-MNIST, with TensorFlow.js on the wasm backend
 * (cpu fallback), and saves it as a standard tfjs LayersModel in models/fmnist/ (model.json +
 * weights.bin) plus metrics.json. No tfjs-node: files are written with node:fs.
 *
 *   npm run train:fmnist -- [--epochs 12] [--batch 128] [--lr 0.002] [--seed 1234]
 *                           [--backend wasm|cpu] [--limit N] [--out models/fmnist] [--time-only]
 *
 * Needs the full dataset (`apt-get install dataset-fashion-mnist`, or --data DIR).
 * Reproducible as far as tfjs allows: seeded Glorot initializers, our own seeded shuffling, no dropout,
 * single-threaded wasm kernels (the wasm backend does not use threads under Node); the same seed,
 * options and backend give the same weights.
 *
 * The wasm backend of tfjs 4.22 cannot train convolutions out of the box (no Conv2DBackpropFilter)
 * and some gradient kernels are slow, so this script registers replacements for the wasm backend
 * only, inside this process: Conv2DBackpropFilter / Conv2DBackpropInput (stride 1) as XNNPACK
 * convolutions, Tile and MaxPoolGrad as block-copy / direct loops on the wasm heap. They were checked
 * against the cpu backend's kernels (relative error ~1e-7; MaxPoolGrad identical, first maximum wins).
 * An epoch of 60k images takes ~35 s on one core.
 *
 * Architecture (valid 3x3 convs, 2x2 max pools; spatial 28→26→13→11→5→3→1):
 *   conv1(16) pool1 bn1 relu1 · conv2(16) pool2 bn2 relu2 · conv3(24) pool3 bn3 relu3 · flatten ·
 *   dense1(42) bn4 relu4 · dense2(64) bn5 relu5 · dense3(10, bias) · softmax
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  loadFashionMnist,
  loadBundledFashionMnist,
  FASHION_MNIST_DEFAULT_DIR,
  type FashionMnistData,
} from '../src/data/fashion-mnist.js';
import '../src/node/register.js';
import { fileSystemLoadHandler, writeModelArtifacts } from '../src/data/tfjs-fs-handler.js';
import { equalizeTfjsModel } from './equalize-tfjs.js';
import { uniform } from '../src/util/random.js';

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '12' },
    batch: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.002' },
    seed: { type: 'string', default: '1234' },
    backend: { type: 'string', default: 'wasm' },
    limit: { type: 'string' },
    data: { type: 'string', default: FASHION_MNIST_DEFAULT_DIR },
    out: { type: 'string', default: 'models/fmnist' },
    'time-only': { type: 'boolean', default: false },
  },
});
const EPOCHS = Number(args.epochs);
const BATCH = Number(args.batch);
const LR = Number(args.lr);
const SEED = Number(args.seed);
const LIMIT = args.limit === undefined ? undefined : Number(args.limit);
const OUT = resolve(args.out!);

const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

// ---------------------------------------------------------------------------------------------
// Seeded PRNG for shuffling: the project's one generator.
const mulberry32 = uniform;

function shuffledIndices(n: number, rand: () => number): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx;
}

// ---------------------------------------------------------------------------------------------
// Backend. tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel (needed for conv weight
// gradients), and its Conv2DBackpropInput is a plain loop. Both gradients are themselves
// convolutions, so express them with conv2d, which the wasm backend runs through XNNPACK:
//   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh, ow·s+kw, ci] · dy[n,oh,ow,co]
//     = conv2d(x as [CI, H, W, N], dy as a [OH, OW, N, CO] filter, dilation s) as [CI, KH, KW, CO]
//   dx (stride 1) = conv2d(dy zero-padded by K−1−pad, W rotated 180° with in/out swapped)

type Pad = 'valid' | 'same' | number;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** dW for an NHWC conv2d (dilation 1) from its input `x` and output gradient `dy`. */
function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: Pad,
  dimRoundingMode: Rounding,
): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { inChannels: CI, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info;
  const { strideHeight: SH, strideWidth: SW, padInfo } = info;
  return tf.tidy(() => {
    // Pad (or crop) so the window span is exactly (OH−1)·SH + KH rows and (OW−1)·SW + KW columns.
    const needH = (OH - 1) * SH + KH;
    const needW = (OW - 1) * SW + KW;
    let xp: tf.Tensor4D = x;
    if (padInfo.top || padInfo.left || padInfo.bottom || padInfo.right) {
      xp = tf.pad(x, [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]]);
    }
    if (xp.shape[1] !== needH || xp.shape[2] !== needW) {
      xp = tf.slice(xp, [0, 0, 0, 0], [-1, needH, needW, -1]);
    }
    const xt = tf.transpose(xp, [3, 1, 2, 0]); // [CI, H, W, N]
    const dyt = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, CO]
    const g = tf.conv2d(xt, dyt, 1, 'valid', 'NHWC', [SH, SW]); // [CI, KH, KW, CO]
    if (g.shape[0] !== CI || g.shape[1] !== KH || g.shape[2] !== KW) throw new Error('conv2dFilterGrad: shape mismatch');
    return tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D; // [KH, KW, CI, CO]
  });
}

/** dx for a stride-1 NHWC conv2d (dilation 1) from its filter and output gradient `dy`. */
function conv2dInputGradStride1(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  pad: Pad,
  dimRoundingMode: Rounding,
): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, 1, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { filterHeight: KH, filterWidth: KW, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, padInfo } = info;
  return tf.tidy(() => {
    // Full correlation with the flipped filter: dx[h] = Σ_k dy[h + top − k] · w[k].
    const padTop = KH - 1 - padInfo.top;
    const padLeft = KW - 1 - padInfo.left;
    const padBottom = H + KH - 1 - padTop - OH;
    const padRight = W + KW - 1 - padLeft - OW;
    let d: tf.Tensor4D = dy;
    if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) throw new Error('unsupported padding');
    d = tf.pad(dy, [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]]);
    const wFlip = tf.reverse(filter, [0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D; // [KH, KW, CO, CI]
    return tf.conv2d(d, wFlip, 1, 'valid');
  });
}

interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  inputShape: [number, number, number, number];
}

const isOne = (v: [number, number] | number | undefined) => v === undefined || v === 1 || (Array.isArray(v) && v[0] === 1 && v[1] === 1);

/**
 * Tile on the wasm heap by block copies (the wasm kernel indexes element by element; tfjs' batch-norm
 * gradient tiles a per-channel vector to the full activation shape, which made it a top-3 cost).
 */
function wasmTileFast(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const b = args.backend as BackendWasm;
  const x = args.inputs.x!;
  const reps = (args.attrs as unknown as { reps: number[] }).reps;
  const rank = x.shape.length;
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  const out = b.makeOutput(outShape, x.dtype); // allocate before taking heap views
  const src = b.typedArrayFromHeap(x);
  const dst = b.typedArrayFromHeap(out);
  if (dst.length === 0) return out;
  const inStride = new Array<number>(rank);
  const outStride = new Array<number>(rank);
  inStride[rank - 1] = 1;
  outStride[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) {
    inStride[i] = inStride[i + 1]! * x.shape[i + 1]!;
    outStride[i] = outStride[i + 1]! * outShape[i + 1]!;
  }
  // Writes x[inOff ...] tiled along axes >= axis at dst[outOff ...]; replicates by doubling copies.
  const fill = (axis: number, inOff: number, outOff: number): void => {
    const d = x.shape[axis]!;
    let block: number;
    if (axis === rank - 1) {
      dst.set(src.subarray(inOff, inOff + d), outOff);
      block = d;
    } else {
      for (let j = 0; j < d; j++) fill(axis + 1, inOff + j * inStride[axis]!, outOff + j * outStride[axis]!);
      block = d * outStride[axis]!;
    }
    const total = block * reps[axis]!;
    for (let have = block; have < total; have *= 2) {
      dst.copyWithin(outOff + have, outOff, outOff + Math.min(have, total - have));
    }
  };
  if (rank === 0) dst[0] = src[0]!;
  else fill(0, 0, 0);
  return out;
}

/** MaxPoolGrad on the wasm heap (first maximum of each window gets the gradient, like the cpu backend). */
function wasmMaxPoolGradFast(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const b = args.backend as BackendWasm;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: Pad;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: SH, strideWidth: SW, effectiveFilterHeight: FH, effectiveFilterWidth: FW, padInfo } = info;
  const dx = b.makeOutput(input.shape, 'float32'); // allocate before taking heap views
  const xv = b.typedArrayFromHeap(input) as Float32Array;
  const dyv = b.typedArrayFromHeap(dy) as Float32Array;
  const dxv = b.typedArrayFromHeap(dx) as Float32Array;
  dxv.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * SH - padInfo.top;
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * SW - padInfo.left;
        const dyBase = ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let fh = 0; fh < FH; fh++) {
            const h = h0 + fh;
            if (h < 0 || h >= H) continue;
            for (let fw = 0; fw < FW; fw++) {
              const w = w0 + fw;
              if (w < 0 || w >= W) continue;
              const k = ((n * H + h) * W + w) * C + c;
              const v = xv[k]!;
              if (v > best || at < 0) {
                best = v;
                at = k;
              }
            }
          }
          if (at >= 0) dxv[at]! += dyv[dyBase + c]!;
        }
      }
    }
  }
  return dx;
}

/** Replaces a registered wasm kernel's implementation (idempotent). */
function overrideWasmKernel(name: string, kernelFunc: (args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }) => tf.TensorInfo): void {
  const original = tf.getKernel(name, 'wasm');
  if (!original || (original.kernelFunc as { hlsemu?: boolean }).hlsemu) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: Object.assign(kernelFunc, { hlsemu: true }) as unknown as tf.KernelFunc });
}

/** Registers the conv-gradient kernels above for the wasm backend (idempotent). */
function registerWasmConvGradKernels(): void {
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      // A kernel may return a Tensor (the engine passes it through); these ops run on the wasm backend.
      kernelFunc: ({ inputs, attrs }) => {
        const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
        const a = attrs as unknown as ConvGradAttrs;
        if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm, hlsemu): NCHW is not supported');
        return conv2dFilterGrad(x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
      },
    });
  }
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (original && !(original.kernelFunc as { hlsemu?: boolean }).hlsemu) {
    const kernelFunc = Object.assign(
      (args: Parameters<typeof original.kernelFunc>[0]) => {
        const { dy, filter } = args.inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
        const a = args.attrs as unknown as ConvGradAttrs;
        if (a.dataFormat === 'NCHW' || !isOne(a.strides) || !isOne(a.dilations)) return original.kernelFunc(args);
        return conv2dInputGradStride1(dy, filter, a.inputShape, a.pad, a.dimRoundingMode);
      },
      { hlsemu: true },
    );
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ ...original, kernelFunc });
  }
  overrideWasmKernel('Tile', wasmTileFast);
  overrideWasmKernel('MaxPoolGrad', wasmMaxPoolGradFast);
}

async function initBackend(wanted: string): Promise<string> {
  if (wanted === 'wasm') {
    try {
      registerWasmConvGradKernels();
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return 'wasm';
      }
      log('wasm backend failed to initialise; falling back to cpu');
    } catch (e) {
      log(`wasm backend unavailable (${(e as Error).message}); falling back to cpu`);
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

// ---------------------------------------------------------------------------------------------
// Model

function buildModel(seed: number): tf.LayersModel {
  let s = seed;
  const glorot = () => tf.initializers.glorotUniform({ seed: s++ });
  const conv = (name: string, filters: number, inputShape?: number[]) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      padding: 'valid',
      useBias: false,
      kernelInitializer: glorot(),
      ...(inputShape ? { inputShape } : {}),
    });
  const pool = (name: string) => tf.layers.maxPooling2d({ name, poolSize: 2, strides: 2, padding: 'valid' });
  const bn = (name: string) => tf.layers.batchNormalization({ name, axis: -1, momentum: 0.99, epsilon: 1e-3 });
  const relu = (name: string) => tf.layers.activation({ name, activation: 'relu' });
  const dense = (name: string, units: number, useBias: boolean) =>
    tf.layers.dense({ name, units, useBias, kernelInitializer: glorot(), biasInitializer: 'zeros' });

  const model = tf.sequential({ name: 'fmnist_cnn' });
  model.add(conv('conv1', 16, [28, 28, 1]));
  model.add(pool('pool1'));
  model.add(bn('bn1'));
  model.add(relu('relu1'));
  model.add(conv('conv2', 16));
  model.add(pool('pool2'));
  model.add(bn('bn2'));
  model.add(relu('relu2'));
  model.add(conv('conv3', 24));
  model.add(pool('pool3'));
  model.add(bn('bn3'));
  model.add(relu('relu3'));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(dense('dense1', 42, false));
  model.add(bn('bn4'));
  model.add(relu('relu4'));
  model.add(dense('dense2', 64, false));
  model.add(bn('bn5'));
  model.add(relu('relu5'));
  model.add(dense('dense3', 10, true));
  model.add(tf.layers.activation({ name: 'softmax', activation: 'softmax' }));
  return model;
}

// ---------------------------------------------------------------------------------------------
// Data helpers

/** Tensors for items `idx[start..end)` (or `start..end` when `idx` is null): x NHWC, y one-hot. */
function batchTensors(data: FashionMnistData, idx: ArrayLike<number> | null, start: number, end: number) {
  const n = end - start;
  const px = 28 * 28;
  const xs = new Float32Array(n * px);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = idx ? idx[start + i]! : start + i;
    xs.set(data.images.subarray(k * px, (k + 1) * px), i * px);
    ys[i] = data.labels[k]!;
  }
  return tf.tidy(() => ({
    x: tf.tensor4d(xs, [n, 28, 28, 1]),
    y: tf.oneHot(tf.tensor1d(ys, 'int32'), 10).toFloat(),
  }));
}

/** Float accuracy (and mean cross-entropy) of `model` on `data`, in inference mode. */
async function evaluate(model: tf.LayersModel, data: FashionMnistData, batch = 500) {
  const n = data.labels.length;
  let correct = 0;
  let lossSum = 0;
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const { x, y } = batchTensors(data, null, s, e);
    const [pred, loss] = tf.tidy(() => {
      const p = model.predict(x) as tf.Tensor2D;
      const l = tf.metrics.categoricalCrossentropy(y, p).sum();
      return [p.argMax(-1), l] as const;
    });
    const predArr = await pred.data();
    lossSum += (await loss.data())[0]!;
    for (let i = 0; i < e - s; i++) if (predArr[i] === data.labels[s + i]) correct++;
    tf.dispose([x, y, pred, loss]);
  }
  return { accuracy: correct / n, loss: lossSum / n };
}

// ---------------------------------------------------------------------------------------------
// Main

/** Learning rate for 1-based `epoch`: cosine decay from LR (epoch 1) towards 0. */
function learningRateAt(epoch: number): number {
  return (LR * (1 + Math.cos((Math.PI * (epoch - 1)) / EPOCHS))) / 2;
}

async function main() {
  const backend = await initBackend(args.backend!);
  log(`tfjs ${tf.version.tfjs}, backend ${backend}; epochs=${EPOCHS} batch=${BATCH} lr=${LR} seed=${SEED}`);

  const t0 = Date.now();
  const train = await loadFashionMnist({ split: 'train', dir: args.data!, ...(LIMIT ? { limit: LIMIT } : {}) });
  const test = await loadFashionMnist({ split: 'test', dir: args.data! });
  log(`loaded ${train.labels.length} train / ${test.labels.length} test images in ${Date.now() - t0} ms`);

  const model = buildModel(SEED);
  model.summary(100, undefined, (line: string) => console.log(`  ${line}`));
  const optimizer = tf.train.adam(LR);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const rand = mulberry32(SEED);
  const nTrain = train.labels.length;
  const nBatches = Math.ceil(nTrain / BATCH);
  const history: Array<{ epoch: number; lr: number; loss: number; acc: number; testAcc: number; testLoss: number; seconds: number }> = [];
  const trainStart = Date.now();
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const epochStart = Date.now();
    // Cosine learning-rate decay over the epochs (per epoch): LR at epoch 1 down to ~LR/40 at the end.
    const lr = learningRateAt(epoch);
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    const order = shuffledIndices(nTrain, rand);
    let lossSum = 0;
    let accSum = 0;
    let seen = 0;
    for (let bi = 0; bi < nBatches; bi++) {
      const s = bi * BATCH;
      const e = Math.min(nTrain, s + BATCH);
      const { x, y } = batchTensors(train, order, s, e);
      const [loss, acc] = (await model.trainOnBatch(x, y)) as number[];
      tf.dispose([x, y]);
      lossSum += loss! * (e - s);
      accSum += acc! * (e - s);
      seen += e - s;
      if ((bi + 1) % 50 === 0 || bi === nBatches - 1) {
        const el = (Date.now() - epochStart) / 1000;
        const eta = (el / (bi + 1)) * (nBatches - bi - 1);
        log(
          `epoch ${epoch}/${EPOCHS} batch ${bi + 1}/${nBatches} loss ${(lossSum / seen).toFixed(4)} ` +
            `acc ${(accSum / seen).toFixed(4)}  ${el.toFixed(1)}s elapsed, ~${eta.toFixed(0)}s left in epoch`,
        );
      }
      if (args['time-only'] && bi + 1 === 100) {
        const per = (Date.now() - epochStart) / 100;
        log(`timing: ${per.toFixed(1)} ms/batch → ~${((per * Math.ceil(60000 / BATCH)) / 1000).toFixed(0)} s per 60k epoch`);
        return;
      }
    }
    const seconds = (Date.now() - epochStart) / 1000;
    const ev = await evaluate(model, test);
    history.push({ epoch, lr, loss: lossSum / seen, acc: accSum / seen, testAcc: ev.accuracy, testLoss: ev.loss, seconds });
    log(
      `epoch ${epoch} done in ${seconds.toFixed(1)}s (lr ${lr.toExponential(2)}): train loss ${(lossSum / seen).toFixed(4)} acc ` +
        `${(accSum / seen).toFixed(4)} | test loss ${ev.loss.toFixed(4)} acc ${ev.accuracy.toFixed(4)}`,
    );
  }
  const trainingSeconds = (Date.now() - trainStart) / 1000;

  // Range equalization for fixed point (float function bit-identical; see src/ptq/equalize.ts).
  const calibration = await loadFashionMnist({ split: 'train', dir: args.data!, limit: 2000 });
  const equalization = await equalizeTfjsModel(tf, model, { data: calibration.images, shape: calibration.shape });
  log(`equalized ${equalization.map((p) => `${p.producer}×${p.scale}`).join(', ')}`);

  // Save (standard tfjs layers-model format) and verify the round trip.
  mkdirSync(OUT, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => writeModelArtifacts(OUT, artifacts)));
  log(`saved ${join(OUT, 'model.json')} + weights.bin`);

  const reloaded = await tf.loadLayersModel(fileSystemLoadHandler(join(OUT, 'model.json')));
  const final = await evaluate(reloaded, test);
  const bundled = await evaluate(reloaded, await loadBundledFashionMnist());
  const probe = tf.tensor4d(test.images.subarray(0, 64 * 784), [64, 28, 28, 1]);
  const maxDiff = tf.tidy(() =>
    (model.predict(probe) as tf.Tensor).sub(reloaded.predict(probe) as tf.Tensor).abs().max().dataSync()[0]!,
  );
  probe.dispose();
  log(`reloaded model: test acc ${final.accuracy.toFixed(4)}, bundled-1000 acc ${bundled.accuracy.toFixed(4)}, max |Δp| vs in-memory ${maxDiff}`);

  const metrics = {
    model: 'fmnist_cnn (hls4ml CNN-paper architecture adapted to 28x28x1)',
    dataset: 'Fashion-MNIST',
    floatTestAccuracy: final.accuracy,
    floatTestLoss: final.loss,
    testImages: test.labels.length,
    bundledSubsetAccuracy: bundled.accuracy,
    bundledSubsetImages: 1000,
    trainImages: nTrain,
    epochs: EPOCHS,
    batchSize: BATCH,
    optimizer: { name: 'adam', learningRate: LR, schedule: 'cosine per epoch: lr·(1+cos(π·(e−1)/epochs))/2' },
    seed: SEED,
    backend,
    tfjsVersion: tf.version.tfjs,
    trainingSeconds: Math.round(trainingSeconds * 10) / 10,
    history,
    params: model.countParams(),
    equalization: { calibration: 'first 2,000 Fashion-MNIST training images', target: '0.75 of fixed<16,6> range', pairs: equalization },
    createdAt: new Date().toISOString(),
  };
  writeFileSync(join(OUT, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  log(`wrote ${join(OUT, 'metrics.json')}: float test accuracy ${final.accuracy.toFixed(4)}, ${trainingSeconds.toFixed(0)} s training`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
