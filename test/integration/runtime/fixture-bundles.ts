import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleEntry } from '../../../local/runtime/bundle';

/** Bundles fixture handlers from test/fixtures/lambdas exactly as real functions are bundled. */
export class FixtureBundles {
  private constructor(private readonly dir: string) {}

  static async create(): Promise<FixtureBundles> {
    return new FixtureBundles(await mkdtemp(path.join(tmpdir(), 'lambda-fixtures-')));
  }

  async bundle(fixture: 'behaviors' | 'sqs-batch' | 'http-echo'): Promise<string> {
    const output = await bundleEntry(
      `test/fixtures/lambdas/${fixture}.ts`,
      path.join(this.dir, `${fixture}.mjs`),
    );
    return output.path;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
