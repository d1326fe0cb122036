#!/usr/bin/env node
// Entry point for `npx smsctl`: loads the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./run.ts');
await run(process.argv.slice(2));
