/**
 * Digesting FlowSchemas and PriorityLevelConfigurations into what the filter runs on: user objects
 * merged over the bootstrap set, API defaults applied, broken or dangling objects dropped, and the
 * server's concurrency limit split into per-level seats.
 *
 * Source: apiserver@v0.31.0 pkg/util/flowcontrol/apf_controller.go (digestConfigObjects,
 * finishQueueSetReconfigsLocked) and pkg/apis/flowcontrol/v1 defaults.
 */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import {
  BOOTSTRAP_FLOW_SCHEMAS,
  BOOTSTRAP_PRIORITY_LEVELS,
  FS_CATCH_ALL,
  FS_EXEMPT,
  PLC_CATCH_ALL,
  PLC_EXEMPT,
} from './bootstrap.js';
import {
  DEFAULT_HAND_SIZE,
  DEFAULT_MATCHING_PRECEDENCE,
  DEFAULT_NOMINAL_CONCURRENCY_SHARES,
  DEFAULT_QUEUE_LENGTH_LIMIT,
  DEFAULT_QUEUES,
  PRIORITY_LEVEL_MAX_SEATS_PERCENT,
} from './parameters.js';

export type LevelKind = 'exempt' | 'queue' | 'reject';

/** One priority level with the seat split of finishQueueSetReconfigsLocked. Seats are integers. */
export interface LevelSpec {
  readonly name: string;
  readonly kind: LevelKind;
  readonly shares: number;
  readonly nominalCL: number;
  readonly lendableCL: number;
  readonly minCL: number;
  readonly maxCL: number;
  /** NominalCL - LendableCL/2 (integer division): the limit a brand-new level starts from. */
  readonly initialCL: number;
  readonly queues: number;
  readonly handSize: number;
  readonly queueLengthLimit: number;
  /** Work-estimator cap for this level before the global cap of 10; 0 when the level does not queue. */
  readonly maxSeats: number;
}

export interface CompiledResourceRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly namespaces: readonly string[];
  readonly clusterScope: boolean;
}

export interface CompiledNonResourceRule {
  readonly verbs: readonly string[];
  readonly urls: readonly string[];
}

export type CompiledSubject =
  | { readonly kind: 'User'; readonly name: string }
  | { readonly kind: 'Group'; readonly name: string }
  | {
      readonly kind: 'ServiceAccount';
      readonly namespace: string;
      readonly name: string;
      /** "system:serviceaccount:<namespace>:" and that plus the name, built once. */
      readonly userPrefix: string;
      readonly user: string;
    };

export interface CompiledRule {
  readonly subjects: readonly CompiledSubject[];
  readonly resourceRules: readonly CompiledResourceRule[];
  readonly nonResourceRules: readonly CompiledNonResourceRule[];
}

export interface CompiledFlowSchema {
  readonly name: string;
  readonly precedence: number;
  readonly priorityLevel: string;
  readonly distinguisher: 'ByUser' | 'ByNamespace' | '';
  readonly rules: readonly CompiledRule[];
}

export interface DigestedConfig {
  readonly serverCL: number;
  readonly levels: readonly LevelSpec[];
  /** Sum of every level's NominalCL: can exceed serverCL because of ceil; the borrowing budget. */
  readonly nominalCLSum: number;
  /** Sorted by (precedence, name): the order requests are matched in. */
  readonly flowSchemas: readonly CompiledFlowSchema[];
  /** The PriorityLevelConfiguration behind each level, by name (to keep draining levels alive). */
  readonly priorityLevelObjects: ReadonlyMap<string, PriorityLevelConfiguration>;
  /** Objects dropped, with why (logged by the caller). */
  readonly ignored: readonly string[];
}

/** shufflesharding.go: a hand may draw on at most 60 bits of hash entropy. */
const MAX_HASH_BITS = 60;

interface LevelShape {
  readonly name: string;
  readonly kind: LevelKind;
  readonly shares: number;
  readonly lendablePercent: number;
  readonly borrowingLimitPercent: number | undefined;
  readonly queues: number;
  readonly handSize: number;
  readonly queueLengthLimit: number;
}

function nameOf(obj: { metadata?: { name?: string } }): string {
  return obj.metadata?.name ?? '';
}

/** Mandatory objects win over user objects of the same name; user objects replace suggested ones. */
function merge<T extends { metadata?: { name?: string } }>(
  bootstrap: readonly T[],
  user: readonly T[],
  mandatory: readonly string[],
  kind: string,
  ignored: string[],
): T[] {
  const byName = new Map<string, T>();
  for (const obj of bootstrap) byName.set(nameOf(obj), obj);
  for (const obj of user) {
    const name = nameOf(obj);
    if (name === '') {
      ignored.push(`${kind} without a name`);
      continue;
    }
    if (mandatory.includes(name)) {
      ignored.push(`${kind} ${name}: mandatory objects cannot be replaced`);
      continue;
    }
    byName.set(name, obj);
  }
  return [...byName.values()];
}

function shapeOf(plc: PriorityLevelConfiguration): LevelShape | string {
  const name = nameOf(plc);
  const spec = plc.spec;
  if (spec === undefined) return 'no spec';
  if (spec.type === 'Exempt') {
    if (name !== 'exempt') return 'only the level named exempt may be of type Exempt';
    return {
      name,
      kind: 'exempt',
      shares: spec.exempt?.nominalConcurrencyShares ?? 0,
      lendablePercent: spec.exempt?.lendablePercent ?? 0,
      borrowingLimitPercent: undefined,
      queues: 0,
      handSize: 0,
      queueLengthLimit: 0,
    };
  }
  if (spec.type !== 'Limited' || spec.limited === undefined)
    return `type ${spec.type} without a limited section`;
  const limited = spec.limited;
  const response = limited.limitResponse;
  const shares = limited.nominalConcurrencyShares ?? DEFAULT_NOMINAL_CONCURRENCY_SHARES;
  const lendablePercent = limited.lendablePercent ?? 0;
  if (shares < 0) return 'negative nominalConcurrencyShares';
  if (lendablePercent < 0 || lendablePercent > 100) return 'lendablePercent outside 0..100';
  if (limited.borrowingLimitPercent !== undefined && limited.borrowingLimitPercent < 0)
    return 'negative borrowingLimitPercent';
  const common = { name, shares, lendablePercent, borrowingLimitPercent: limited.borrowingLimitPercent };
  if (response === undefined || response.type === 'Reject') {
    return { ...common, kind: 'reject', queues: 0, handSize: 0, queueLengthLimit: 0 };
  }
  if (response.type !== 'Queue') return `limitResponse type ${response.type}`;
  // defaults.go: 0 means unset for these three.
  const queues = response.queuing?.queues || DEFAULT_QUEUES;
  const handSize = response.queuing?.handSize || DEFAULT_HAND_SIZE;
  const queueLengthLimit = response.queuing?.queueLengthLimit || DEFAULT_QUEUE_LENGTH_LIMIT;
  if (queues < 1 || handSize < 1 || queueLengthLimit < 1)
    return 'queues, handSize and queueLengthLimit must be positive';
  if (handSize > queues) return `handSize ${handSize} exceeds queues ${queues}`;
  if (handSize * Math.log2(queues) > MAX_HASH_BITS)
    return `queues ${queues} with handSize ${handSize} needs too much entropy`;
  // One queue needs no shuffle sharding; k8s treats it as queuing without a dealer, we deal a hand of one.
  return { ...common, kind: 'queue', queues, handSize, queueLengthLimit };
}

function compileFlowSchema(fs: FlowSchema): CompiledFlowSchema | string {
  const spec = fs.spec;
  if (spec === undefined) return 'no spec';
  const distinguisher = spec.distinguisherMethod?.type ?? '';
  if (distinguisher !== '' && distinguisher !== 'ByUser' && distinguisher !== 'ByNamespace')
    return `distinguisher ${distinguisher}`;
  const rules: CompiledRule[] = [];
  for (const rule of spec.rules ?? []) {
    const subjects: CompiledSubject[] = [];
    for (const s of rule.subjects) {
      if (s.kind === 'User' && s.user !== undefined) subjects.push({ kind: 'User', name: s.user.name });
      else if (s.kind === 'Group' && s.group !== undefined)
        subjects.push({ kind: 'Group', name: s.group.name });
      else if (s.kind === 'ServiceAccount' && s.serviceAccount !== undefined)
        subjects.push({
          kind: 'ServiceAccount',
          namespace: s.serviceAccount.namespace,
          name: s.serviceAccount.name,
          userPrefix: `system:serviceaccount:${s.serviceAccount.namespace}:`,
          user: `system:serviceaccount:${s.serviceAccount.namespace}:${s.serviceAccount.name}`,
        });
      else return `subject of kind ${s.kind} without its section`;
    }
    rules.push({
      subjects,
      resourceRules: (rule.resourceRules ?? []).map((r) => ({
        verbs: r.verbs,
        apiGroups: r.apiGroups,
        resources: r.resources,
        namespaces: r.namespaces ?? [],
        clusterScope: r.clusterScope ?? false,
      })),
      nonResourceRules: (rule.nonResourceRules ?? []).map((r) => ({
        verbs: r.verbs,
        urls: r.nonResourceURLs,
      })),
    });
  }
  return {
    name: nameOf(fs),
    precedence: spec.matchingPrecedence || DEFAULT_MATCHING_PRECEDENCE,
    priorityLevel: spec.priorityLevelConfiguration.name,
    distinguisher,
    rules,
  };
}

/** The seat split for one level (apf_controller.go finishQueueSetReconfigsLocked). */
function splitSeats(shape: LevelShape, serverCL: number, shareSum: number): LevelSpec {
  const nominalCL = shareSum > 0 ? Math.ceil((serverCL * shape.shares) / shareSum) : 0;
  const lendableCL = Math.round((nominalCL * shape.lendablePercent) / 100);
  const borrowingCL =
    shape.borrowingLimitPercent === undefined
      ? serverCL
      : Math.round((nominalCL * shape.borrowingLimitPercent) / 100);
  const maxSeats =
    shape.kind === 'queue'
      ? Math.max(
          1,
          Math.min(
            Math.ceil(nominalCL * PRIORITY_LEVEL_MAX_SEATS_PERCENT),
            Math.floor(nominalCL / shape.handSize),
          ),
        )
      : 0;
  return {
    name: shape.name,
    kind: shape.kind,
    shares: shape.shares,
    nominalCL,
    lendableCL,
    minCL: nominalCL - lendableCL,
    maxCL: nominalCL + borrowingCL,
    initialCL: nominalCL - Math.floor(lendableCL / 2),
    queues: shape.queues,
    handSize: shape.handSize,
    queueLengthLimit: shape.queueLengthLimit,
    maxSeats,
  };
}

/**
 * Merges user objects over the bootstrap set and digests the result. `extraLevels` are levels still
 * draining from an earlier configuration: they keep their share of seats until idle, as in k8s.
 */
export function digestConfiguration(
  serverCL: number,
  userFlowSchemas: readonly FlowSchema[],
  userPriorityLevels: readonly PriorityLevelConfiguration[],
  extraLevels: readonly PriorityLevelConfiguration[] = [],
): DigestedConfig {
  const ignored: string[] = [];
  const plcs = merge(
    BOOTSTRAP_PRIORITY_LEVELS,
    userPriorityLevels,
    [nameOf(PLC_EXEMPT), nameOf(PLC_CATCH_ALL)],
    'PriorityLevelConfiguration',
    ignored,
  );
  const shapes: LevelShape[] = [];
  const objects = new Map<string, PriorityLevelConfiguration>();
  for (const plc of [...plcs, ...extraLevels]) {
    const shape = shapeOf(plc);
    if (typeof shape === 'string') {
      ignored.push(`PriorityLevelConfiguration ${nameOf(plc)}: ${shape}`);
      continue;
    }
    if (objects.has(shape.name)) continue;
    objects.set(shape.name, plc);
    shapes.push(shape);
  }
  const shareSum = shapes.reduce((sum, s) => sum + s.shares, 0);
  const levels = shapes.map((s) => splitSeats(s, serverCL, shareSum));

  const schemas: CompiledFlowSchema[] = [];
  const desiredLevels = new Set(plcs.map(nameOf));
  for (const fs of merge(
    BOOTSTRAP_FLOW_SCHEMAS,
    userFlowSchemas,
    [nameOf(FS_EXEMPT), nameOf(FS_CATCH_ALL)],
    'FlowSchema',
    ignored,
  )) {
    const compiled = compileFlowSchema(fs);
    if (typeof compiled === 'string') {
      ignored.push(`FlowSchema ${nameOf(fs)}: ${compiled}`);
      continue;
    }
    // A dangling reference (or one to a level that is only draining) is ignored, as k8s does.
    if (!desiredLevels.has(compiled.priorityLevel) || !objects.has(compiled.priorityLevel)) {
      ignored.push(`FlowSchema ${compiled.name}: priority level ${compiled.priorityLevel} does not exist`);
      continue;
    }
    schemas.push(compiled);
  }
  schemas.sort((a, b) => a.precedence - b.precedence || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    serverCL,
    levels,
    nominalCLSum: levels.reduce((sum, l) => sum + l.nominalCL, 0),
    flowSchemas: schemas,
    priorityLevelObjects: objects,
    ignored,
  };
}
