import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README is what a first hour needs; the rest is in docs/ by reader. This keeps the README
 * short and every relative link of the README and docs/*.md pointing at a file that exists and,
 * for a `#anchor` into Markdown, at a heading that exists (GitHub's slugs).
 */
const README = 'README.md';
const README_MAX_LINES = 260;
const DOCS = [
  'README.md',
  ...readdirSync('docs')
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The text outside fenced code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, (span) => span.replace(/[[\]()]/g, ' '));
}

/** GitHub's heading anchor: lower case, no punctuation but `-` and `_`, spaces to `-`, repeats numbered. */
function slug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const markdown = readFileSync(file, 'utf8').replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of markdown.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(match[1] ?? '');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Link {
  readonly file: string;
  readonly target: string;
}

/** Targets of inline links and images (`[text](target)`, `![alt](target "title")`). */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (match) => match[1] ?? '',
  );
}

function linksOf(file: string): Link[] {
  return linkTargets(readFileSync(file, 'utf8')).map((target) => ({ file, target }));
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

/** What is wrong with a relative link, or undefined. */
function problem({ file, target }: Link): string | undefined {
  const [path = '', anchor] = target.split('#', 2);
  const resolved = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
  if (resolved.startsWith('..')) return `${target}: outside the repository`;
  if (!existsSync(resolved)) return `${target}: no such file (${resolved})`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) return undefined;
  if (!anchorsOf(resolved).has(decodeURIComponent(anchor).toLowerCase()))
    return `${target}: no heading #${anchor} in ${resolved}`;
  return undefined;
}

describe('README and docs', () => {
  it(`keep the README at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(README, 'utf8').replace(/\n$/, '').split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('has the guides the README sends readers to', () => {
    for (const guide of ['workflows', 'api', 'operations', 'architecture', 'performance'])
      expect(DOCS, guide).toContain(`docs/${guide}.md`);
  });

  it.each(DOCS)('%s: every relative link resolves to a file, and every anchor to a heading', (file) => {
    const links = linksOf(file).filter((link) => !isExternal(link.target));
    expect(links.length).toBeGreaterThan(0);
    expect(links.map(problem).filter((found) => found !== undefined)).toEqual([]);
  });

  it('finds links and anchors the way GitHub does (the checker itself is sound)', () => {
    expect(slug('Operate it: smsctl')).toBe('operate-it-smsctl');
    expect(slug('`<Queue>DlqDepth`')).toBe('queuedlqdepth');
    expect(slug('Try it offline: lint and simulate')).toBe('try-it-offline-lint-and-simulate');
    expect(slug('Dead-letter queues and redrive')).toBe('dead-letter-queues-and-redrive');
    expect(linksOf('README.md').map((link) => link.target)).toContain('docs/operations.md#first-deploy');
    expect(problem({ file: 'docs/api.md', target: 'operations.md#no-such-heading' })).toMatch(/no heading/);
    expect(problem({ file: 'docs/api.md', target: '../no/such/file.ts' })).toMatch(/no such file/);
    expect(problem({ file: 'docs/api.md', target: 'workflows.md#completion-webhooks' })).toBeUndefined();
    expect(
      linkTargets('a\n```sh\n[x](fenced.md)\n```\n`[y](code.md)` [z](here.md) ![p](p.png "title")'),
    ).toEqual(['here.md', 'p.png']);
  });
});
