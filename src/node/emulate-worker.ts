/**
 * Worker-thread side of the parallel emulator: holds one compiled Emulator and runs the batch
 * slices it is sent, returning raw outputs, traces and overflow statistics; or, for a GraphPool,
 * holds a shared dataset and evaluates sets of graphs on ranges of its samples.
 */
import { parentPort } from 'node:worker_threads';
import './register.js';
import type { FirmwareGraph } from '../graph/firmware.js';
import type { ModelGraph } from '../graph/model.js';
import { Emulator } from '../emulate/predict.js';
import { floatArgmax, GraphSetExecutor, type WorkerRequest, type WorkerResponse } from '../emulate/parallel.js';

let emu: Emulator | undefined;
let pool: { ex: GraphSetExecutor; x: Float32Array | Float64Array; sampleShape: number[]; model?: ModelGraph } | undefined;

parentPort!.on('message', (msg: WorkerRequest) => {
  try {
    switch (msg.kind) {
      case 'init':
        emu = new Emulator(msg.graph as FirmwareGraph);
        parentPort!.postMessage({ kind: 'ready' } satisfies WorkerResponse);
        return;
      case 'pool-init':
        pool = { ex: new GraphSetExecutor(msg.data, msg.per, msg.base), x: msg.data, sampleShape: msg.sampleShape, ...(msg.model ? { model: msg.model } : {}) };
        parentPort!.postMessage({ kind: 'ready' } satisfies WorkerResponse);
        return;
      case 'pool-set':
        pool!.ex.addSet(msg.set, msg.graphs);
        return;
      case 'pool-drop':
        pool!.ex.dropSet(msg.set);
        return;
      case 'pool-run': {
        const results = pool!.ex.run(msg.set, msg.a, msg.b, msg.report);
        parentPort!.postMessage({ kind: 'pool-result', id: msg.id, results } satisfies WorkerResponse, results.map((r) => r.pred.buffer as ArrayBuffer));
        return;
      }
      case 'pool-float': {
        const pred = floatArgmax(pool!.model!, pool!.x, pool!.sampleShape, msg.a, msg.b);
        parentPort!.postMessage({ kind: 'float-result', id: msg.id, pred } satisfies WorkerResponse, [pred.buffer as ArrayBuffer]);
        return;
      }
      case 'run': {
        const r = emu!.predictRaw(msg.raw, msg.n, { trace: msg.trace, report: msg.report, keepStats: true });
        const transfer: ArrayBuffer[] = [r.raw.buffer as ArrayBuffer];
        const res: WorkerResponse = { kind: 'result', id: msg.id, raw: r.raw, stats: r.stats };
        if (r.trace) {
          res.trace = {};
          for (const [k, t] of Object.entries(r.trace)) {
            res.trace[k] = t.raw;
            if (t.raw instanceof Float64Array) transfer.push(t.raw.buffer as ArrayBuffer);
          }
        }
        parentPort!.postMessage(res, transfer);
        return;
      }
    }
  } catch (e) {
    const id = 'id' in msg ? msg.id : -1;
    parentPort!.postMessage({ kind: 'error', id, error: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { name: 'Error', message: String(e) } } satisfies WorkerResponse);
  }
});
