// Bundles the compiled CLIs into one CommonJS file each: Node starts a CJS entry faster than an ESM graph,
// and a command then loads one file instead of dozens (docs/benchmarks.md has the figures).
import { build } from 'esbuild';

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // The sources use import.meta.url (to find the package root); CJS has __filename instead.
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
};

await Promise.all([
  build({ ...common, entryPoints: ['dist/src/cli/main.js'], outfile: 'dist/bundle/berth.cjs' }),
  build({ ...common, entryPoints: ['dist/src/runtime/cli/main.js'], outfile: 'dist/bundle/berth-runtime.cjs' }),
]);
