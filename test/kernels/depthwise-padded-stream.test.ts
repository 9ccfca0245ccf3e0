// A one-channel 'same' io_stream depthwise conv: the zero-padded width (conv_in_width 10) exceeds every
// data array of the case (8 inputs, 4 outputs, 4 weights), which the structural checks must accept.
// Expected outputs computed with hls4ml 1.3's nnet_utils (nnet::zeropad1d_cl then
// nnet::depthwise_conv_1d_cl, LineBuffer, g++ -O0 -std=c++14).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hlsemu-dw-pad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CASE = {"kernel": "depthwise_conv1d", "impl": "io_stream/linebuffer", "function": "nnet::depthwise_conv_1d_cl", "config": {"in_width": 8, "n_chan": 1, "filt_width": 4, "stride_width": 2, "out_width": 4, "keras_padding": "same", "pad_left": 1, "pad_right": 1, "io_type": "io_stream", "strategy": "latency", "reuse_factor": 1, "depth_multiplier": 1, "implementation": "LineBuffer", "conv_in_width": 10, "zeropad_layer": {"function": "nnet::zeropad1d_cl", "in_width": 8, "out_width": 10, "pad_left": 1, "pad_right": 1, "output_type": "same as conv input type"}, "n_filt": 1, "depthwise_layer": {"in_width": 10, "n_chan": 1, "n_filt": 1, "filt_width": 4, "stride_width": 2, "out_width": 4, "pad_left": 0, "pad_right": 0, "reuse_factor": 1, "strategy": "latency", "n_zeros": 1, "n_partitions": 4, "parallelization_factor": 1, "implementation": "LineBuffer", "min_width": 10, "scale_index": "scale_index_unscaled", "dense_function": "nnet::DepthwiseDenseLatency"}}, "types": {"input": {"s": false, "w": 5, "i": -2, "q": "AP_TRN", "o": "AP_WRAP", "n": 0, "cpp": "ap_ufixed<5,-2>"}, "weight": {"s": true, "w": 10, "i": -1, "q": "AP_TRN", "o": "AP_WRAP", "n": 0, "cpp": "ap_fixed<10,-1>"}, "bias": {"s": true, "w": 6, "i": 4, "q": "AP_TRN", "o": "AP_WRAP", "n": 0, "cpp": "ap_fixed<6,4>"}, "accum": {"s": false, "w": 12, "i": 9, "q": "AP_TRN", "o": "AP_SAT", "n": 0, "cpp": "ap_ufixed<12,9,AP_TRN,AP_SAT>"}, "result": {"s": true, "w": 4, "i": 0, "q": "AP_TRN", "o": "AP_WRAP", "n": 0, "cpp": "ap_fixed<4,0>"}}, "weights": [-109, -274, 0, -279], "bias": [6], "inputs": [[31, 2, 18, 22, 23, 23, 6, 3], [21, 5, 0, 4, 12, 26, 2, 14]], "outputs": [[-8, -8, -8, -8], [-8, -8, -8, -8]]};

describe('depthwise_conv1d io_stream same, one channel', () => {
  it('passes conformance although the padded width is larger than any array', async () => {
    const p = join(dir, 'case.jsonl');
    writeFileSync(p, `${JSON.stringify(CASE)}\n`);
    const [rep] = await runConformance([p]);
    expect(rep!.failures).toEqual([]);
    expect(rep!.passed).toBe(1);
  });

  it('a padded width orders of magnitude beyond the data is still rejected', async () => {
    const p = join(dir, 'hostile.jsonl');
    writeFileSync(p, `${JSON.stringify({ ...CASE, config: { ...CASE.config, conv_in_width: 1e9 } })}\n`);
    const [rep] = await runConformance([p]);
    expect(rep!.passed).toBe(0);
    expect(rep!.failures.join(' | ')).toMatch(/config\.conv_in_width: 1000000000 is larger than any data array/);
  });
});
