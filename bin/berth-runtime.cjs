#!/usr/bin/env node
// runc drop-in: the same code as `berth runtime`, under the name callers configure as a runtime binary.
require('./load-bundle.cjs')(require('node:path').join(__dirname, '../dist/bundle/berth-runtime.cjs'))
  .runtimeMain(process.argv.slice(2), 'berth-runtime')
  .then((code) => { process.exitCode = code; });
