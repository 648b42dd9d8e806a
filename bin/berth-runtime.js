#!/usr/bin/env node
// runc drop-in: the same code as `berth runtime`, under the name callers configure as a runtime binary.
import { runtimeMain } from '../dist/bundle/runtime/cli/main.js';

process.exitCode = await runtimeMain(process.argv.slice(2), 'berth-runtime');
