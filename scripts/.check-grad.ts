import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
process.argv.push('--time-only','--limit','10');
const { conv2dFilterGrad } = await import('./train-fmnist.js');
