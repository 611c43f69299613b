/**
 * What every simulated component declares about itself. Shared code (recorder, report, docs)
 * reads these declarations and never branches on a component's kind.
 */
export interface MetricDeclaration {
  /** Kubernetes' own metric name where one exists, e.g. "apiserver_flowcontrol_current_executing_seats". */
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** "seconds", "seats", "requests/s", "bytes", "cores", "nodes", "fraction", ... */
  readonly unit: string;
  readonly help: string;
  /** Sampled by the recorder once per resolution step. */
  read(): number;
}

export interface ParameterDeclaration {
  readonly name: string;
  readonly value: number | string | boolean;
  readonly unit: string;
  /** Kubernetes file, KEP or doc the default comes from. */
  readonly source: string;
  /** Set when the value was fitted rather than taken from a source: the reason. */
  readonly fitted?: string;
}

export interface Component {
  readonly id: string;
  metrics(): readonly MetricDeclaration[];
  parameters?(): readonly ParameterDeclaration[];
}

export type EventSeverity = 'info' | 'warning' | 'critical';

export interface LoggedEvent {
  /** Simulated seconds since scenario start. */
  readonly t: number;
  readonly cluster: string;
  /** Short kebab-case kind, e.g. "apiserver-oom-killed", "node-not-ready", "alert-firing". */
  readonly kind: string;
  readonly severity: EventSeverity;
  readonly message: string;
}

export interface EventLog {
  record(event: LoggedEvent): void;
}

/** An event log that keeps everything, in order, with an optional cap per kind to bound size. */
export function createEventLog(
  maxPerKindPerCluster = 200,
): EventLog & { readonly events: readonly LoggedEvent[] } {
  const events: LoggedEvent[] = [];
  const counts = new Map<string, number>();
  return {
    events,
    record(event) {
      const key = `${event.cluster}\u0000${event.kind}`;
      const n = counts.get(key) ?? 0;
      counts.set(key, n + 1);
      if (n < maxPerKindPerCluster) events.push(event);
    },
  };
}
