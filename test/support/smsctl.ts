import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { CliError } from '../../cli/cli-error';
import { main } from '../../cli/main';
import { writeLocalEndpoints } from '../../local/endpoints';
import type { LocalStack } from '../../local/stack';

export interface SmsctlRun {
  readonly code: number;
  readonly stdout: string;
  readonly error?: string;
}

/**
 * smsctl in-process like `smsctl --local …` against a test file's local stack, found through a
 * temp endpoints file (never the repo's). Failures come back with their exit code, not thrown.
 */
export function useSmsctl(stack: () => LocalStack) {
  let tmp = '';
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'smsctl-'));
    const endpointsFile = path.join(tmp, 'endpoints.json');
    await writeLocalEndpoints(stack(), endpointsFile);
    vi.stubEnv('SMSCTL_LOCAL_ENDPOINTS', endpointsFile);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(tmp, { recursive: true, force: true });
  });

  async function smsctl(...args: string[]): Promise<SmsctlRun> {
    let stdout = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    try {
      const code = await main(['--local', ...args]);
      return { code, stdout };
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      return { code: error.exitCode, stdout, error: error.message };
    } finally {
      spy.mockRestore();
    }
  }

  async function json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
    const result = await smsctl('--json', ...args);
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  }

  return { smsctl, json };
}
