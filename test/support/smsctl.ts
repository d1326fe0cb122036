import { spawn } from 'node:child_process';
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

/**
 * The `smsctl` binary in a child process, as an operator runs it, with `stdin` typed in (a token
 * for `--auth-token -`, never in argv). useSmsctl's SMSCTL_LOCAL_ENDPOINTS is inherited.
 */
export function smsctlBinary(
  args: readonly string[],
  stdin: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['cli/smsctl.mjs', ...args], { env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
