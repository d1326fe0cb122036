import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Stack traces that name the TypeScript file and line, without `--enable-source-maps`: that flag
 * makes Node read and parse the bundle's map at every cold start (7-10 ms CPU of a 25-35 ms import
 * here), though a map is only needed when a stack is printed. This module installs an
 * `Error.prepareStackTrace` that formats stacks as Node does and maps the frames of this bundle
 * through its map (`<bundle>.mjs.map`, shipped next to it), read and parsed at the first stack that
 * needs it. V8 formats a stack when `error.stack` is first read, so errors nobody prints cost
 * nothing, and every reader (Powertools Logger's formatError, the Lambda runtime's "Invoke Error"
 * and "Init Error" lines, uncaught exceptions) gets the mapped text.
 *
 * Installed only where it can help and cannot get in the way: in a bundle whose map is beside it
 * (not under vitest or tsx, which run the sources and format stacks themselves) and when Node is
 * not mapping stacks already (`--enable-source-maps` still works as before).
 */

interface CallSite {
  getFileName(): string | undefined | null;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  getFunctionName(): string | null;
  getEnclosingLineNumber?(): number | null;
  getEnclosingColumnNumber?(): number | null;
  toString(): string;
}

type PrepareStackTrace = (error: Error, trace: CallSite[]) => unknown;

/** Maps call sites of one generated file; the map is loaded on first use (a failure means "unmapped"). */
class BundleStackMapper {
  private sourceMap: SourceMap | null | undefined;
  private readonly generatedUrl: string;

  constructor(
    private readonly bundlePath: string,
    private readonly mapPath = `${bundlePath}.map`,
  ) {
    this.generatedUrl = pathToFileURL(bundlePath).href;
  }

  /** True for a call site in this bundle (V8 names ESM files by URL, CommonJS files by path). */
  covers(site: CallSite): boolean {
    const file = site.getFileName();
    return file === this.generatedUrl || file === this.bundlePath;
  }

  /**
   * The frame as V8 prints it, with the original file, line, column and function name (`caller` is
   * the next frame down the stack); null when unmapped.
   */
  frame(site: CallSite, caller?: CallSite): string | null {
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    const file = site.getFileName();
    if (line === null || column === null || !file) return null;
    const map = this.load();
    if (!map) return null;
    const entry = map.findEntry(line - 1, column - 1) as Partial<{
      originalSource: string;
      originalLine: number;
      originalColumn: number;
    }>;
    if (entry.originalSource === undefined || entry.originalLine === undefined) return null;
    const text = site.toString();
    const generated = `${file}:${line}:${column}`;
    const at = text.lastIndexOf(generated);
    if (at < 0) return null;
    const original = `${this.sourcePath(entry.originalSource)}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
    return `${this.withOriginalName(text.slice(0, at), site, caller, map)}${original}${text.slice(at + generated.length)}`;
  }

  /**
   * Replaces a minified function name by the original one, found as Node finds it: the name the
   * map records at the enclosing function, else at the call expression in the caller's frame.
   */
  private withOriginalName(
    prefix: string,
    site: CallSite,
    caller: CallSite | undefined,
    map: SourceMap,
  ): string {
    const minified = site.getFunctionName();
    if (!minified) return prefix;
    const name =
      this.nameAt(map, site.getEnclosingLineNumber?.(), site.getEnclosingColumnNumber?.()) ??
      (caller?.getFileName() === site.getFileName()
        ? this.nameAt(map, caller?.getLineNumber(), caller?.getColumnNumber())
        : undefined);
    if (!name || name === minified) return prefix;
    const escaped = minified.replace(/[$]/g, '\\$&');
    return prefix.replace(new RegExp(`(^|[ .])${escaped}(?= \\(| \\[as )`), `$1${name}`);
  }

  private nameAt(map: SourceMap, line: number | null | undefined, column: number | null | undefined) {
    if (!line || !column) return undefined;
    return (map.findEntry(line - 1, column - 1) as { name?: string }).name || undefined;
  }

  private sourcePath(source: string): string {
    if (source.startsWith('file://')) return fileURLToPath(source);
    return path.resolve(path.dirname(this.mapPath), source);
  }

  private load(): SourceMap | null {
    if (this.sourceMap === undefined) {
      try {
        this.sourceMap = new SourceMap(JSON.parse(readFileSync(this.mapPath, 'utf8')) as SourceMapPayload);
      } catch {
        this.sourceMap = null;
      }
    }
    return this.sourceMap;
  }
}

/**
 * Formats `trace` with Node's own formatter (the default `Error.prepareStackTrace` of Node 20 and
 * 22; V8's plain format where there is none), the frames `mapper` covers mapped first.
 */
function mappedPrepareStackTrace(
  mapper: BundleStackMapper,
  nodeFormat: PrepareStackTrace | undefined,
): PrepareStackTrace {
  let busy = false;
  return (error, trace) => {
    // Source maps turned on after all (process.setSourceMapsEnabled): Node maps the call sites itself.
    if (process.sourceMapsEnabled && nodeFormat) return nodeFormat(error, trace);
    let frames: (CallSite | string)[] = trace;
    if (!busy && trace.some((site) => mapper.covers(site))) {
      busy = true; // an error while mapping gets the plain format, not a recursion
      try {
        frames = trace.map((site, i) =>
          mapper.covers(site) ? (mapper.frame(site, trace[i + 1]) ?? site) : site,
        );
      } catch {
        frames = trace;
      } finally {
        busy = false;
      }
    }
    // Node's formatter only joins the frames (it reads call sites only when it maps them itself),
    // so mapped frames can go in as their text.
    if (nodeFormat) return nodeFormat(error, frames as CallSite[]);
    const header = Error.prototype.toString.call(error);
    return frames.length === 0 ? header : `${header}\n    at ${frames.join('\n    at ')}`;
  };
}

/** Installs the mapping for the bundle `moduleUrl` belongs to; false when it does not apply. */
function installMappedStacks(moduleUrl: string): boolean {
  if (!moduleUrl.startsWith('file:') || process.sourceMapsEnabled) return false;
  const bundlePath = fileURLToPath(moduleUrl);
  if (!existsSync(`${bundlePath}.map`)) return false;
  const nodeFormat = Error.prepareStackTrace as PrepareStackTrace | undefined;
  Error.prepareStackTrace = mappedPrepareStackTrace(
    new BundleStackMapper(bundlePath),
    nodeFormat,
  ) as typeof Error.prepareStackTrace;
  return true;
}

installMappedStacks(import.meta.url);
