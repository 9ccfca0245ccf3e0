/** C simulation of an emitted project with g++ runs on Node only: it lives with the Node adapters. */
export * from '../node/csim.js';
