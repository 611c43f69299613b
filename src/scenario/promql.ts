/**
 * A PromQL subset for alert rules, parsed into the alert engine's typed expression tree
 * (src/model/alerting/types.ts), so users can paste Prometheus rules.
 *
 * Supported: selectors with `=` matchers, range selectors, rate / increase / avg_over_time /
 * max_over_time / min_over_time, sum (a cluster's metric source already sums every matching
 * series), number literals, + - * /, comparisons (> >= < <= == !=), `and`, `or`, parentheses.
 * Anything else is rejected with a message naming what is not supported.
 */
import type { AlertExpr, ComparisonOp, SeriesSelector, ValueExpr } from '../model/alerting/types.js';

export type PromqlResult =
  | { readonly ok: true; readonly expr: AlertExpr }
  | { readonly ok: false; readonly message: string; readonly offset: number };

type Token =
  | { t: 'num'; v: number; at: number }
  | { t: 'id'; v: string; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'dur'; v: number; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number };

class ParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
};

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (/[0-9.]/.test(c)) {
      const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?/.exec(src.slice(i));
      if (!m) throw new ParseError(`unexpected "${c}"`, i);
      out.push({ t: 'num', v: Number(m[0]), at: i });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_:]/.test(c)) {
      const m = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(src.slice(i));
      const word = m?.[0] ?? c;
      out.push({ t: 'id', v: word, at: i });
      i += word.length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          s += src[j + 1];
          j += 2;
        } else {
          s += src[j];
          j++;
        }
      }
      if (j >= src.length) throw new ParseError('unterminated string', i);
      out.push({ t: 'str', v: s, at: i });
      i = j + 1;
      continue;
    }
    if (c === '[') {
      const close = src.indexOf(']', i);
      if (close < 0) throw new ParseError('unclosed "["', i);
      const body = src.slice(i + 1, close).trim();
      if (body.includes(':')) throw new ParseError('subqueries ([range:step]) are not supported', i);
      out.push({ t: 'dur', v: parsePromDuration(body, i), at: i });
      i = close + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['>=', '<=', '==', '!=', '=~', '!~'].includes(two)) {
      out.push({ t: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    if ('()<>{}=,+-*/%^'.includes(c)) {
      out.push({ t: 'op', v: c, at: i });
      i++;
      continue;
    }
    throw new ParseError(`unexpected "${c}"`, i);
  }
  out.push({ t: 'end', at: src.length });
  return out;
}

function parsePromDuration(body: string, at: number): number {
  const re = /([0-9]+)(ms|s|m|h|d|w|y)/y;
  let total = 0;
  let pos = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) throw new ParseError(`"${body}" is not a range; write one like [5m] or [1h30m]`, at);
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? 's'] ?? 1);
    pos = re.lastIndex;
  }
  if (body === '' || total <= 0) throw new ParseError('a range must be positive, like [5m]', at);
  return total;
}

const RANGE_FUNCTIONS: Readonly<Record<string, ValueExpr['kind']>> = {
  rate: 'rate',
  increase: 'increase',
  avg_over_time: 'avg-over-time',
  max_over_time: 'max-over-time',
  min_over_time: 'min-over-time',
};

const COMPARISONS = new Set(['>', '>=', '<', '<=', '==', '!=']);

/** An intermediate node: a value, a range selector awaiting a function, or a condition. */
type Node =
  | { n: 'value'; v: ValueExpr; at: number }
  | { n: 'range'; sel: SeriesSelector; window: number; at: number }
  | { n: 'cond'; c: AlertExpr; at: number };

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.pos] ?? { t: 'end', at: 0 };
  }
  private next(): Token {
    const t = this.peek();
    this.pos++;
    return t;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return t.t === 'id' && t.v === v;
  }
  private expect(v: string): void {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new ParseError(`expected "${v}"`, t.at);
  }

  parse(): AlertExpr {
    const node = this.or();
    const t = this.peek();
    if (t.t !== 'end') throw new ParseError('unexpected text after the expression', t.at);
    if (node.n !== 'cond') {
      throw new ParseError('an alert expression must be a comparison, e.g. "sum(rate(x[5m])) > 1"', node.at);
    }
    return node.c;
  }

  private or(): Node {
    let left = this.and();
    while (this.isWord('or')) {
      const at = this.next().at;
      const right = this.and();
      left = { n: 'cond', c: { kind: 'any', of: [this.cond(left), this.cond(right)] }, at };
    }
    return left;
  }

  private and(): Node {
    let left = this.comparison();
    while (this.isWord('and')) {
      const at = this.next().at;
      const right = this.comparison();
      left = { n: 'cond', c: { kind: 'all', of: [this.cond(left), this.cond(right)] }, at };
    }
    return left;
  }

  private cond(node: Node): AlertExpr {
    if (node.n === 'cond') return node.c;
    throw new ParseError('"and" and "or" join comparisons, e.g. "a > 1 and b > 2"', node.at);
  }

  private comparison(): Node {
    const left = this.additive();
    const t = this.peek();
    if (t.t === 'op' && COMPARISONS.has(t.v)) {
      this.next();
      if (this.isWord('bool')) throw new ParseError('the "bool" modifier is not supported', this.peek().at);
      const right = this.additive();
      return {
        n: 'cond',
        c: { kind: 'compare', left: this.value(left), op: t.v as ComparisonOp, right: this.value(right) },
        at: t.at,
      };
    }
    return left;
  }

  private value(node: Node): ValueExpr {
    if (node.n === 'value') return node.v;
    if (node.n === 'range') {
      throw new ParseError('a range selector needs a function around it, e.g. rate(x[5m])', node.at);
    }
    throw new ParseError('comparisons cannot be nested inside arithmetic', node.at);
  }

  private additive(): Node {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      const op = t.t === 'op' && t.v === '-' ? '-' : '+';
      const right = this.multiplicative();
      left = {
        n: 'value',
        v: { kind: 'arith', op, left: this.value(left), right: this.value(right) },
        at: t.at,
      };
    }
    return left;
  }

  private multiplicative(): Node {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op') break;
      if (t.v === '%' || t.v === '^') throw new ParseError(`the "${t.v}" operator is not supported`, t.at);
      if (t.v !== '*' && t.v !== '/') break;
      const op = t.v;
      this.next();
      const right = this.unary();
      left = {
        n: 'value',
        v: { kind: 'arith', op, left: this.value(left), right: this.value(right) },
        at: t.at,
      };
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp('-')) {
      const at = this.next().at;
      const inner = this.unary();
      return {
        n: 'value',
        v: { kind: 'arith', op: '-', left: { kind: 'number', value: 0 }, right: this.value(inner) },
        at,
      };
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.next();
    if (t.t === 'num') return { n: 'value', v: { kind: 'number', value: t.v }, at: t.at };
    if (t.t === 'op' && t.v === '(') {
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (t.t === 'id') {
      if (t.v === 'sum') {
        if (this.isWord('by') || this.isWord('without')) {
          throw new ParseError(
            '"sum by" / "sum without" is not supported: rules are evaluated per cluster, summed',
            this.peek().at,
          );
        }
        this.expect('(');
        const inner = this.or();
        this.expect(')');
        if (this.isWord('by') || this.isWord('without')) {
          throw new ParseError(
            '"sum(...) by" is not supported: rules are evaluated per cluster, summed',
            this.peek().at,
          );
        }
        return { n: 'value', v: this.value(inner), at: t.at };
      }
      const fn = RANGE_FUNCTIONS[t.v];
      if (fn !== undefined && this.isOp('(')) {
        this.next();
        const arg = this.primary();
        this.expect(')');
        if (arg.n !== 'range')
          throw new ParseError(`${t.v}() needs a range selector, e.g. ${t.v}(x[5m])`, arg.at);
        return { n: 'value', v: { kind: fn, series: arg.sel, window: arg.window } as ValueExpr, at: t.at };
      }
      if (this.isOp('(')) throw new ParseError(`function ${t.v}() is not supported`, t.at);
      if (['and', 'or', 'unless', 'by', 'without', 'offset', 'bool'].includes(t.v)) {
        throw new ParseError(`unexpected "${t.v}"`, t.at);
      }
      const sel = this.selector(t.v);
      if (this.peek().t === 'dur') {
        const d = this.next() as { t: 'dur'; v: number; at: number };
        return { n: 'range', sel, window: d.v, at: t.at };
      }
      if (this.isWord('offset')) throw new ParseError('"offset" is not supported', this.peek().at);
      return { n: 'value', v: { kind: 'gauge', series: sel }, at: t.at };
    }
    if (t.t === 'end') throw new ParseError('the expression ends too early', t.at);
    throw new ParseError(`unexpected ${t.t === 'op' ? `"${t.v}"` : 'token'}`, t.at);
  }

  private selector(metric: string): SeriesSelector {
    if (!this.isOp('{')) return { metric };
    this.next();
    const labels: Record<string, string> = {};
    while (!this.isOp('}')) {
      const key = this.next();
      if (key.t !== 'id') throw new ParseError('expected a label name', key.at);
      const op = this.next();
      if (op.t !== 'op' || op.v !== '=') {
        throw new ParseError(
          `only "=" label matchers are supported (got "${op.t === 'op' ? op.v : '?'}")`,
          op.at,
        );
      }
      const val = this.next();
      if (val.t !== 'str') throw new ParseError('a label value must be a quoted string', val.at);
      labels[key.v] = val.v;
      if (this.isOp(',')) this.next();
      else if (!this.isOp('}')) throw new ParseError('expected "," or "}"', this.peek().at);
    }
    this.next();
    return Object.keys(labels).length > 0 ? { metric, labels } : { metric };
  }
}

export function parsePromql(src: string): PromqlResult {
  try {
    return { ok: true, expr: new Parser(tokenize(src)).parse() };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, message: e.message, offset: e.offset };
    throw e;
  }
}
