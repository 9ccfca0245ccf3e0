/**
 * Structure-aware mutations of JSON documents for the fuzz suite: pick a path into a valid
 * document (a reference case, a model topology, a config) and set, delete, truncate, scale, bump
 * or empty the value there.
 */
import fc from 'fast-check';
import { hostileJson } from './settings.js';

type Json = Record<string, unknown>;

/** A path into a JSON value (object keys and array indices), chosen by `picks`. */
export function pickPath(v: unknown, picks: number[]): (string | number)[] {
  const path: (string | number)[] = [];
  let cur = v;
  for (const p of picks) {
    if (Array.isArray(cur) && cur.length) {
      const i = p % cur.length;
      path.push(i);
      cur = cur[i];
    } else if (cur && typeof cur === 'object' && Object.keys(cur).length) {
      const keys = Object.keys(cur);
      const k = keys[p % keys.length]!;
      path.push(k);
      cur = (cur as Json)[k];
    } else break;
  }
  return path;
}

export type Mutation = { op: 'set'; value: unknown } | { op: 'delete' } | { op: 'truncate'; keep: number } | { op: 'scale'; by: number } | { op: 'bump' } | { op: 'empty' };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  hostileJson.map((value) => ({ op: 'set' as const, value })),
  fc.constant({ op: 'delete' as const }),
  fc.nat({ max: 10 }).map((keep) => ({ op: 'truncate' as const, keep })),
  fc.constantFrom(0, -1, 2, 1e9, 0.5, 1.5).map((by) => ({ op: 'scale' as const, by })),
  fc.constant({ op: 'bump' as const }),
  fc.constant({ op: 'empty' as const }),
);

/** Apply `m` at `path` of a deep copy of `v`. */
export function mutate(v: Json, path: (string | number)[], m: Mutation): Json {
  const copy = structuredClone(v);
  if (path.length === 0) return copy;
  let parent: unknown = copy;
  for (const p of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[p];
  const last = path[path.length - 1]!;
  const obj = parent as Record<string | number, unknown>;
  const cur = obj[last];
  switch (m.op) {
    case 'set':
      obj[last] = m.value;
      break;
    case 'delete':
      if (Array.isArray(obj)) obj.splice(last as number, 1);
      else delete obj[last];
      break;
    case 'truncate':
      if (Array.isArray(cur)) obj[last] = cur.slice(0, Math.min(m.keep, cur.length - 1));
      else if (typeof cur === 'string') obj[last] = cur.slice(0, m.keep);
      break;
    case 'scale':
      if (typeof cur === 'number') obj[last] = cur * m.by;
      break;
    case 'bump':
      if (typeof cur === 'number') obj[last] = cur + 1;
      else if (typeof cur === 'string' && /^-?\d+$/.test(cur)) obj[last] = String(BigInt(cur) + 1n);
      break;
    case 'empty':
      obj[last] = Array.isArray(cur) ? [] : cur && typeof cur === 'object' ? {} : '';
      break;
  }
  return copy;
}

