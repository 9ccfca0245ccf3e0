// Benchmark driver: `npm run bench -- --suite <fixed|kernels|model|scan|scaling|study|all> [--json]`. Prints JSON.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { suite: { type: 'string', default: 'all' }, json: { type: 'boolean', default: true } },
  allowPositionals: true,
});

type Suite = () => Promise<Record<string, unknown>>;
const load = (file: string, fn: string): Suite => async () => {
  const mod = (await import(`./${file}`)) as Record<string, () => Record<string, unknown> | Promise<Record<string, unknown>>>;
  return mod[fn]!();
};
const suites: Record<string, Suite> = {
  fixed: load('fixed.bench.js', 'benchFixed'),
  kernels: load('kernels.bench.js', 'benchKernels'),
  model: load('model.bench.js', 'benchModel'),
  scan: load('scan.bench.js', 'benchScan'),
  scaling: load('scaling.bench.js', 'benchScaling'),
  study: load('study.bench.js', 'benchStudy'),
};

// 'all' = the quick suites; scan (60k images), scaling and study run only when asked for.
const names = values.suite === 'all' ? ['fixed', 'kernels', 'model'] : [values.suite!];
const out: Record<string, unknown> = {};
for (const n of names) {
  const s = suites[n];
  if (!s) {
    console.error(`unknown suite '${n}' (one of ${Object.keys(suites).join(', ')}, all)`);
    process.exit(2);
  }
  try {
    out[n] = await s();
  } catch (e) {
    if (values.suite === 'all') out[n] = { error: String(e) };
    else throw e;
  }
}
console.log(JSON.stringify(names.length === 1 ? out[names[0]!] : out, null, 2));
