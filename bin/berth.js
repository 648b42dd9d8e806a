#!/usr/bin/env node
// Thin entry point: the compiled CLI lives in dist/.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
