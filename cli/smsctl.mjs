#!/usr/bin/env node
// Entry point for `npx smsctl`: loads the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

// A failure is one line on stderr; the SDK's notice about future Node support is not about the
// operator's command, so it stays quiet unless asked for.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { run } = await import('./run.ts');
await run(process.argv.slice(2));
