/** Messages between the page and its Web Worker (the worker holds the model, the data and runs everything heavy). */
import type { Hls4mlConfig } from '../../src/browser.js';

export type FileList_ = [name: string, data: ArrayBuffer][];

export type Request =
  | { kind: 'example'; files: FileList_ }
  | { kind: 'model'; files: FileList_ }
  | { kind: 'data'; files: FileList_ }
  | { kind: 'defaults'; granularity: 'model' | 'name' }
  | { kind: 'predict'; config: Hls4mlConfig; samples: number[] }
  | { kind: 'scan'; config: Hls4mlConfig; widths: string; integerBits: number; limit: number }
  | { kind: 'profile'; config: Hls4mlConfig; limit: number }
  | { kind: 'project'; config: Hls4mlConfig; name: string };

export interface ModelInfo {
  name: string;
  source: string;
  layers: { name: string; className: string; outputShape: number[] }[];
  inputShape: number[];
  qat: boolean;
  config: Hls4mlConfig;
}

export interface DataInfo {
  source: string;
  n: number;
  sampleShape: number[];
  labels: boolean;
}

export interface TraceRow {
  layer: string;
  cls: string;
  shape: number[];
  type: string;
  min: number;
  max: number;
  /** First values of sample 0 (doubles). */
  head: number[];
  /** Raw mantissas of every sample (as decimal strings when wider than 53 bits). */
  raw: (number | string)[];
  wrapped: number;
  saturated: number;
  lut: string;
}

export interface PredictOut {
  n: number;
  samples: number[];
  type: string;
  raw: (number | string)[];
  values: number[];
  predictions: number[];
  labels?: number[];
  trace: TraceRow[];
  reportText: string;
  fastLayers: number;
  layers: number;
  seconds: number;
}

export interface ScanPointOut {
  series: string;
  width: number;
  type: string;
  accuracy?: number;
  agreement?: number;
  overflowTotal: number;
  error?: string;
}

export type Response =
  | { id: 0; kind: 'ready' }
  | { id: number; kind: 'progress'; done: number; total: number; label: string }
  | { id: number; kind: 'point'; point: ScanPointOut }
  | { id: number; kind: 'error'; name: string; message: string }
  | { id: number; kind: 'model'; model: ModelInfo; data?: DataInfo }
  | { id: number; kind: 'data'; data: DataInfo }
  | { id: number; kind: 'defaults'; config: Hls4mlConfig }
  | { id: number; kind: 'predict'; out: PredictOut }
  | { id: number; kind: 'scan'; csv: string; json: string; svg: string; floatAccuracy?: number }
  | { id: number; kind: 'profile'; table: string; weightsSvg: string; activationsSvg: string }
  | { id: number; kind: 'project'; zip: ArrayBuffer; name: string; files: string[]; warnings: string[] };
