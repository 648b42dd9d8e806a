#!/usr/bin/env node
// Thin entry point: the bundled CLI lives in dist/bundle/ (scripts/bundle.mjs).
require('./load-bundle.cjs')(require('node:path').join(__dirname, '../dist/bundle/berth.cjs'))
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; });
