#!/usr/bin/env node
// Thin entry point: the compiled CLI lives in dist/.
import { main } from '../dist/bundle/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
