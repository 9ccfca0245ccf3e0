// The per-tensor type search (`hlsemu suggest --objective bops`) on the bundled Fashion-MNIST CNN
// (models/fmnist) against the best uniform-F config at the same accuracy target: BOPs of both, and
// their accuracy on the calibration and the held-out split. Prints a table and the JSON summary.
// Run: npx tsx bench/suggest-search.ts
// Env: HLSEMU_SEARCH_DATA = full (default, the 10,000-image test set; falls back to the bundled
//      1,000 images when it is not installed) | bundled | DIR; HLSEMU_SEARCH_IMAGES (default all);
//      HLSEMU_SEARCH_TARGET (pp, default 1); HLSEMU_SEARCH_OBJECTIVE (default bops);
//      HLSEMU_SEARCH_MODES (e.g. RND; default hls4ml's TRN,WRAP); HLSEMU_SEARCH_SEED (default 1);
//      HLSEMU_SEARCH_GUARD (binomial σ, default 1); HLSEMU_SEARCH_TIEBREAK=0 (skip the moves that only
//      lower the tie-breaker); HLSEMU_SEARCH_RANK (flips | accuracy, default flips);
//      HLSEMU_SEARCH_FREEWIDE=0 (start free tensors at the start F, not wide); HLSEMU_SEARCH_OUT (write the whole suggest.json there).
import '../src/node/register.js';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FASHION_MNIST_DEFAULT_DIR } from '../src/data/fashion-mnist.js';
import type { CostObjective } from '../src/ptq/cost.js';
import { loadExample } from '../src/ptq/data.js';
import { formatSearchTable } from '../src/ptq/output.js';
import { searchConfig } from '../src/ptq/search.js';

const want = process.env.HLSEMU_SEARCH_DATA ?? 'full';
const which = want === 'full' && !existsSync(join(FASHION_MNIST_DEFAULT_DIR, 't10k-images-idx3-ubyte.gz')) ? 'bundled' : want;
const limit = process.env.HLSEMU_SEARCH_IMAGES ? Number(process.env.HLSEMU_SEARCH_IMAGES) : undefined;
const { model, data } = await loadExample('fashion-mnist', { data: which, ...(limit ? { limit } : {}) });
const modes = process.env.HLSEMU_SEARCH_MODES;
const r = await searchConfig({
  model,
  data,
  objective: (process.env.HLSEMU_SEARCH_OBJECTIVE ?? 'bops') as CostObjective,
  targetDrop: Number(process.env.HLSEMU_SEARCH_TARGET ?? 1),
  seed: Number(process.env.HLSEMU_SEARCH_SEED ?? 1),
  ...(modes ? { modes } : {}),
  ...(process.env.HLSEMU_SEARCH_GUARD ? { guard: Number(process.env.HLSEMU_SEARCH_GUARD) } : {}),
  ...(process.env.HLSEMU_SEARCH_TIEBREAK === '0' ? { tieBreak: false } : {}),
  ...(process.env.HLSEMU_SEARCH_RANK ? { rank: process.env.HLSEMU_SEARCH_RANK as 'flips' | 'accuracy' } : {}),
  ...(process.env.HLSEMU_SEARCH_FREEWIDE === '0' ? { freeWide: false } : {}),
  onStep: (s) => process.stderr.write(`${s.label}: ${(s.accuracy * 100).toFixed(2)}% ${s.bops}\n`),
});
console.log(`data: ${data.source}, ${data.n} images${modes ? `, modes ${modes}` : ''}`);
console.log(formatSearchTable(r));
const summary = {
  data: data.source,
  n: data.n,
  modes: modes ?? 'TRN,WRAP',
  objective: r.objective,
  target_drop: r.target_drop,
  float_accuracy: r.float_accuracy,
  float_accuracy_heldout: r.float_accuracy_heldout,
  uniform: { F: r.uniform.F, bops: r.uniform.bops, accuracy_calibration: r.uniform.accuracy_calibration, accuracy_heldout: r.uniform.accuracy_heldout },
  suggested: { bops: r.suggested.bops, accuracy_calibration: r.suggested.accuracy_calibration, accuracy_heldout: r.suggested.accuracy_heldout, heldout_meets_target: r.suggested.heldout_meets_target },
  start: r.start,
  bops_reduction: r.suggested.bops_reduction,
  evaluations: r.evaluations,
  seconds: r.seconds,
};
console.log(JSON.stringify(summary, null, 2));
if (process.env.HLSEMU_SEARCH_OUT) writeFileSync(process.env.HLSEMU_SEARCH_OUT, JSON.stringify(r, null, 2) + '\n');
