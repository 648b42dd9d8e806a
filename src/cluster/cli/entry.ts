// Runs `berth cluster` directly (node dist/src/cluster/cli/entry.js ARGS), for use before the top-level
// dispatcher routes `berth cluster` here; the daemon is then started through this same file.
import { fileURLToPath } from 'node:url';
import { clusterMain } from './main.js';

clusterMain(process.argv.slice(2), { selfCommand: [fileURLToPath(import.meta.url)] }).then((code) => {
  process.exitCode = code;
});
