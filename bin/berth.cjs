#!/usr/bin/env node
// Thin entry point: the bundled CLI lives in dist/bundle/ (scripts/bundle.mjs). `berth runtime …` loads the
// runtime's own bundle (a ninth of the whole CLI's): a container launch should not parse the engine's code.
const path = require('node:path');
const load = require('./load-bundle.cjs');
const argv = process.argv.slice(2);
const done = argv[0] === 'runtime'
  ? load(path.join(__dirname, '../dist/bundle/berth-runtime.cjs')).runtimeMain(argv.slice(1), 'berth runtime')
  : load(path.join(__dirname, '../dist/bundle/berth.cjs')).main(argv);
done.then((code) => { process.exitCode = code; });
