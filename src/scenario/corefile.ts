/**
 * A CoreDNS Corefile as scenario input: the server block that serves the cluster domain gives the
 * kubernetes plugin's record `ttl` and the cache plugin's settings (coredns@v1.11.3
 * plugin/kubernetes/README.md, plugin/cache/README.md). Other plugins are accepted and ignored:
 * they do not change what the model simulates. Errors name the Corefile's line and column.
 */
import type { Issue } from './issues.js';
import { parseDuration } from './units.js';

export interface CorefileSettings {
  /** kubernetes plugin `ttl`, seconds. */
  readonly recordTtl?: number;
  /** Whether a cache plugin serves the cluster zone (absent, or `disable success cluster.local`: no). */
  readonly cacheEnabled: boolean;
  readonly successTtl?: number;
  readonly denialTtl?: number;
  readonly capacity?: number;
  readonly prefetch?: number;
  readonly serveStale?: { readonly duration: number; readonly mode: 'immediate' | 'verify' };
  readonly servfailTtl?: number;
}

interface Token {
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** Words, `{` and `}` on their lines; `#` starts a comment (Caddyfile lexing, without quotes' escapes). */
function tokenize(text: string): Token[][] {
  const lines: Token[][] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const tokens: Token[] = [];
    const re = /"([^"]*)"|([{}])|([^\s{}#"]+)|(#.*)/g;
    for (let m = re.exec(raw); m !== null; m = re.exec(raw)) {
      if (m[4] !== undefined) break;
      tokens.push({ text: m[1] ?? m[2] ?? m[3] ?? '', line: i + 1, column: m.index + 1 });
    }
    if (tokens.length > 0) lines.push(tokens);
  });
  return lines;
}

interface Directive {
  readonly name: Token;
  readonly args: readonly Token[];
  readonly block: readonly Directive[];
}

export function parseCorefile(
  text: string,
  file: string,
  cluster = 'cluster.local',
): { settings: CorefileSettings | null; issues: Issue[] } {
  const issues: Issue[] = [];
  const fail = (t: Token, message: string, hint: string): void => {
    issues.push({
      code: 'invalid-value',
      severity: 'error',
      path: '',
      file,
      line: t.line,
      column: t.column,
      message,
      hint,
    });
  };
  const lines = tokenize(text);
  let at = 0;
  // Parses directives until the closing brace of the current block (or the end at depth 0).
  const parseBlock = (depth: number, opener: Token | null): Directive[] => {
    const out: Directive[] = [];
    while (at < lines.length) {
      const line = lines[at]!;
      if (line[0]!.text === '}') {
        if (depth === 0)
          fail(line[0]!, 'a closing brace with no block open', 'remove it, or open the block it closes');
        at++;
        return out;
      }
      at++;
      const opens = line[line.length - 1]!.text === '{';
      const words = opens ? line.slice(0, -1) : line;
      const stray = words.find((t) => t.text === '{' || t.text === '}');
      if (stray)
        fail(
          stray,
          `unexpected "${stray.text}" inside a line`,
          "put a block's braces at the end of its line and on a line of their own",
        );
      const name = words[0] ?? line[0]!;
      out.push({ name, args: words.slice(1), block: opens ? parseBlock(depth + 1, name) : [] });
    }
    if (opener)
      fail(opener, `the block of "${opener.text}" is never closed`, 'add a line with "}" at its end');
    return out;
  };
  const servers = parseBlock(0, null);
  if (issues.length > 0) return { settings: null, issues };

  // The server block whose zones cover the cluster domain, or the root zone ".".
  const zonesOf = (d: Directive) =>
    [d.name, ...d.args].map((t) => t.text.replace(/^dns:\/\//, '').replace(/:\d+$/, ''));
  const covers = (zone: string) =>
    zone === '.' || cluster === zone.replace(/\.$/, '') || cluster.endsWith(`.${zone.replace(/\.$/, '')}`);
  const server = servers.find((s) => zonesOf(s).some(covers));
  if (!server) {
    issues.push({
      code: 'invalid-value',
      severity: 'error',
      path: '',
      file,
      line: 1,
      column: 1,
      message: `no server block serves ${cluster}`,
      hint: 'the Corefile needs a block such as ".:53 { ... }" with the kubernetes plugin',
    });
    return { settings: null, issues };
  }

  const seconds = (t: Token | undefined, what: string, bare: boolean): number | undefined => {
    if (t === undefined) return undefined;
    if (bare && /^\d+$/.test(t.text)) return Number(t.text);
    const d = parseDuration(t.text);
    if (!d.ok) {
      fail(
        t,
        `${what}: "${t.text}" is not ${bare ? 'a number of seconds' : 'a duration'}`,
        bare ? 'write whole seconds, e.g. 30' : 'write a Go duration, e.g. 5s or 1h',
      );
      return undefined;
    }
    return d.value;
  };
  const count = (t: Token | undefined, what: string): number | undefined => {
    if (t === undefined) return undefined;
    if (!/^\d+$/.test(t.text)) {
      fail(t, `${what}: "${t.text}" is not a whole number`, 'write a count, e.g. 9984');
      return undefined;
    }
    return Number(t.text);
  };

  let settings: { -readonly [K in keyof CorefileSettings]: CorefileSettings[K] } = { cacheEnabled: false };
  for (const d of server.block) {
    if (d.name.text === 'kubernetes') {
      const ttl = d.block.find((b) => b.name.text === 'ttl');
      const v = seconds(ttl?.args[0], 'kubernetes ttl', true);
      if (v !== undefined) settings.recordTtl = v;
    } else if (d.name.text === 'cache') {
      settings.cacheEnabled = true;
      const ttl = seconds(d.args[0], 'cache TTL', true);
      if (ttl !== undefined) {
        settings.successTtl = ttl;
        settings.denialTtl = Math.min(ttl, 1800);
      }
      for (const b of d.block) {
        const [first, second] = b.args;
        switch (b.name.text) {
          case 'success': {
            const cap = count(first, 'cache success CAPACITY');
            if (cap !== undefined) settings.capacity = cap;
            const t = seconds(second, 'cache success TTL', true);
            if (t !== undefined) settings.successTtl = t;
            break;
          }
          case 'denial': {
            const t = seconds(second, 'cache denial TTL', true);
            if (t !== undefined) settings.denialTtl = t;
            break;
          }
          case 'prefetch': {
            const n = count(first, 'cache prefetch AMOUNT');
            if (n !== undefined) settings.prefetch = n;
            break;
          }
          case 'serve_stale': {
            const duration = seconds(first, 'cache serve_stale DURATION', false) ?? 3600;
            const mode = second?.text ?? 'immediate';
            if (mode !== 'immediate' && mode !== 'verify')
              fail(second!, `serve_stale refresh mode "${mode}"`, 'use immediate or verify');
            else settings.serveStale = { duration, mode };
            break;
          }
          case 'servfail': {
            const t = seconds(first, 'cache servfail DURATION', false);
            if (t !== undefined) settings.servfailTtl = t;
            break;
          }
          case 'keepttl':
            break;
          case 'disable':
            if (first?.text === 'success' && b.args.slice(1).some((z) => covers(z.text)))
              settings.cacheEnabled = false;
            break;
          default:
            fail(
              b.name,
              `unknown cache option "${b.name.text}"`,
              'the cache plugin takes success, denial, prefetch, serve_stale, servfail, disable, keepttl',
            );
        }
      }
    }
  }
  if (issues.length > 0) settings = { cacheEnabled: false };
  return { settings: issues.length > 0 ? null : settings, issues };
}
