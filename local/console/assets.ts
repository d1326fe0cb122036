import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The console's static files: the page, its stylesheet, a sample picture for MMS, and the browser
 * code, bundled from TypeScript by esbuild when the local stack starts (no build step by hand,
 * nothing fetched from a CDN).
 */
export interface ConsoleAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));

const STATIC_FILES: Readonly<Record<string, { file: string; contentType: string }>> = {
  '/console/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/console/console.css': { file: 'console.css', contentType: 'text/css; charset=utf-8' },
  '/console/media/parcel.svg': { file: 'media/parcel.svg', contentType: 'image/svg+xml' },
};

export const CONSOLE_SCRIPT_PATH = '/console/app.js';
export const SAMPLE_MEDIA_PATH = '/console/media/parcel.svg';

async function bundleBrowserCode(): Promise<Buffer> {
  const result = await build({
    entryPoints: [`${WEB_DIR}app.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no console bundle');
  return Buffer.from(output.contents);
}

export async function loadConsoleAssets(): Promise<ReadonlyMap<string, ConsoleAsset>> {
  const assets = new Map<string, ConsoleAsset>();
  await Promise.all(
    Object.entries(STATIC_FILES).map(async ([urlPath, { file, contentType }]) => {
      assets.set(urlPath, { contentType, body: await readFile(`${WEB_DIR}${file}`) });
    }),
  );
  assets.set(CONSOLE_SCRIPT_PATH, {
    contentType: 'text/javascript; charset=utf-8',
    body: await bundleBrowserCode(),
  });
  return assets;
}
