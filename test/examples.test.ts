// The quickstart example must keep running and keep telling the story its docs tell.
import { describe, expect, it } from 'vitest';
import { main } from '../examples/quickstart.js';

describe('examples/quickstart.ts', () => {
  it('runs, flags the softmax overflow, and recovers after the fix', async () => {
    const lines: string[] = [];
    const r = await main((s) => lines.push(s));
    expect(r.overflowLayers).toEqual(['softmax']);
    expect(r.accuracy).toBeLessThan(0.5);
    expect(r.fixedAccuracy).toBeGreaterThan(0.75);
    expect(lines.join('\n')).toContain('softmax');
  });
});
