/**
 * A scripted ApiEndpoint for client tests: each request is answered by `respond` after `delay`
 * seconds; watches stay open until closed by the test.
 */
import type { Simulation } from '../../../src/engine/index.js';
import type {
  ApiCallback,
  ApiEndpoint,
  ApiOutcome,
  ApiRequest,
  WatchHandle,
  WatchHandlers,
} from '../../../src/model/api-types.js';

export interface Seen {
  readonly at: number;
  readonly request: ApiRequest;
}

export class FakeWatch implements WatchHandle {
  isOpen = true;
  constructor(
    readonly request: ApiRequest,
    readonly handlers: WatchHandlers,
  ) {}
  close(): void {
    this.isOpen = false;
  }
  /** The server ends it. */
  end(reason: Parameters<WatchHandlers['onClosed']>[0]): void {
    this.isOpen = false;
    this.handlers.onClosed(reason);
  }
}

export function ok(extra: Partial<{ servedFrom: 'cache' | 'etcd' }> = {}): ApiOutcome {
  return { kind: 'ok', status: 200, latency: 0 as ApiOutcome['latency'], ...extra } as ApiOutcome;
}
export function throttled(retryAfter: number): ApiOutcome {
  return {
    kind: 'throttled',
    status: 429,
    latency: 0 as ApiOutcome['latency'],
    retryAfter: retryAfter as ApiOutcome['latency'],
    reason: 'queue-full',
  };
}
export function gone(): ApiOutcome {
  return { kind: 'gone', status: 410, latency: 0 as ApiOutcome['latency'] };
}
export function unreachable(): ApiOutcome {
  return { kind: 'unreachable', status: 0, latency: 0 as ApiOutcome['latency'] };
}

export class FakeEndpoint implements ApiEndpoint {
  readonly seen: Seen[] = [];
  readonly watches: FakeWatch[] = [];
  delay = 0.01;

  constructor(
    private readonly sim: Simulation,
    public respond: (request: ApiRequest, n: number) => ApiOutcome,
  ) {}

  submit(request: ApiRequest, done: ApiCallback): void {
    this.seen.push({ at: this.sim.now, request });
    const outcome = this.respond(request, this.seen.length);
    this.sim.schedule(this.delay, () => done(outcome), undefined);
  }

  watch(request: ApiRequest, handlers: WatchHandlers, opened: ApiCallback): WatchHandle {
    this.seen.push({ at: this.sim.now, request });
    const outcome = this.respond(request, this.seen.length);
    const w = new FakeWatch(request, handlers);
    if (outcome.kind === 'ok') this.watches.push(w);
    else w.isOpen = false;
    this.sim.schedule(this.delay, () => opened(outcome), undefined);
    return w;
  }

  isReachable(): boolean {
    return true;
  }

  verbs(): string[] {
    return this.seen.map((s) => s.request.verb);
  }
}
