#!/usr/bin/env node
/**
 * The `hlsemu` command line. It only parses arguments and calls the library (see ./run.ts).
 */
import '../node/register.js';
import { EXIT, reportError, runCli } from './run.js';

// A closed pipe (`hlsemu … | head`) ends the output quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.OK);
});
// Failures outside the command's promise chain (worker threads, stray callbacks) still print one line.
process.on('uncaughtException', (e) => {
  process.exitCode = reportError(e);
  process.exit();
});
process.on('unhandledRejection', (e) => {
  process.exitCode = reportError(e);
  process.exit();
});

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
