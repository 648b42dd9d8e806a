// Loads a CommonJS bundle with V8's code cache beside it (<bundle>.v8cache): compiling the bundle's functions
// is a large part of a cold CLI start (docs/benchmarks.md). The cache is written after the first run that
// lacks one (or whose cache V8 rejected, e.g. after a rebuild); an unwritable install just runs uncached.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire, wrap } = require('node:module');

/** module.exports of the bundle at file. */
module.exports = function loadBundle(file) {
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    // At exit the cache also holds the functions this run compiled, not just the top level.
    process.once('exit', () => {
      const tmp = `${cacheFile}.${process.pid}`;
      try {
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        fs.rmSync(tmp, { force: true });
      }
    });
  }
  return mod.exports;
};
