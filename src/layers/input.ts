/**
 * The model input (Keras `InputLayer`, hls4ml `Input`) and Dropout, which hls4ml's parser removes
 * (its consumers read its input).
 *
 * hls4ml sources: converters/keras/core.py (parse_input_layer, Dropout skipped by
 * keras_v2_to_hls.py's skip list), model/layers.py (Input).
 */
import { FormatError, UnsupportedError } from '../errors.js';
import { readBatchInputShape, sameShape } from '../import/keras-config.js';
import type { HlsClassSpec, LayerModule, ModelClassSpec } from './spec.js';

const inputModel: ModelClassSpec = {
  keras: {
    arity: 'none',
    attrs: () => ({}),
    outputShape(_s, _a, r) {
      const shape = readBatchInputShape(r);
      if (!shape) throw new FormatError(r.field('batch_input_shape'), 'InputLayer has no batch_input_shape / batch_shape');
      if (r.config['sparse'] === true || r.config['ragged'] === true) throw new UnsupportedError(r.where, 'sparse / ragged inputs are not supported');
      return shape;
    },
  },
  hlsClass: () => 'Input',
  typeKey: () => 'InputLayer',
  build: () => ({ cls: 'Input', attrs: {} }),
  float: (_l, [x]) => x!,
};

const dropoutModel: ModelClassSpec = {
  keras: { arity: 'one', attrs: (r) => ({ rate: r.num('rate', 0) }), outputShape: sameShape },
  removed: true,
  build: () => null,
  float: (_l, [x]) => x!,
};

const inputHls: HlsClassSpec = {
  types: [{ name: 'result' }],
  lower() {
    throw new UnsupportedError('Input', 'the model input is not a firmware layer');
  },
};

/** The model input and the layers hls4ml removes. */
export const inputModule = {
  kind: 'Input / Dropout',
  model: { InputLayer: inputModel, Dropout: dropoutModel },
  hls: { Input: inputHls },
} satisfies LayerModule;
