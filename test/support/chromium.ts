import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium: playwright-core drives it and downloads no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Installs Chromium with the project's script when it is missing (apt-get; root or passwordless sudo). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  execFileSync('bash', [path.resolve('scripts/ensure-chromium.sh')], { stdio: 'inherit', timeout: 600_000 });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Containers and CI runners have no user namespaces for Chromium's sandbox; the pages are our own.
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-features=Translate,OptimizationHints,MediaRouter',
    ],
  });
}
