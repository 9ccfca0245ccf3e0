/**
 * Worker-thread side of the parallel emulator: holds one compiled Emulator and runs the batch
 * slices it is sent, returning raw outputs, traces and overflow statistics.
 */
import { parentPort } from 'node:worker_threads';
import type { FirmwareGraph } from '../graph/firmware.js';
import { Emulator } from './predict.js';
import type { WorkerRequest, WorkerResponse } from './parallel.js';

let emu: Emulator | undefined;

parentPort!.on('message', (msg: WorkerRequest) => {
  try {
    if (msg.kind === 'init') {
      emu = new Emulator(msg.graph as FirmwareGraph);
      parentPort!.postMessage({ kind: 'ready' } satisfies WorkerResponse);
      return;
    }
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
  } catch (e) {
    parentPort!.postMessage({ kind: 'error', id: msg.kind === 'run' ? msg.id : -1, error: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { name: 'Error', message: String(e) } } satisfies WorkerResponse);
  }
});
