/**
 * FlowSchema matching (lowest precedence wins) and flow distinguishers, with a per-identity cache.
 *
 * Source: apiserver@v0.31.0 pkg/util/flowcontrol/match.go (subjects, resource and non-resource rules)
 * and apf_controller.go startRequest (distinguisher computed only when the level has >1 queue).
 *
 * ApiRequest has no URL: a `resource` that starts with '/' is a non-resource path ("/healthz").
 */
import type { ApiRequest, Identity } from '../api-types.js';
import type {
  CompiledFlowSchema,
  CompiledNonResourceRule,
  CompiledResourceRule,
  CompiledSubject,
  DigestedConfig,
} from './config.js';
import { flowHash } from './shuffle-sharding.js';

/** What classify() returns; one object per flow, shared by every request of that flow. */
export interface FlowClassification {
  readonly flowSchema: string;
  readonly priorityLevel: string;
  readonly flowKey: string;
  readonly isExempt: boolean;
  /** 53-bit hash of flowKey for shuffle sharding. */
  readonly hash: number;
  /**
   * A cohort on this flow stands for members of distinct flows: the flow is told apart by user and
   * the identity is one node's (a block of kubelets, each its own system:node user).
   */
  readonly isPerMember: boolean;
  /** Configuration generation this classification was made under. */
  readonly generation: number;
  /**
   * The queues dealt to this flow, cached by its level with the queue-set revision it was dealt for:
   * queue indices packed into two small integers when they fit (the level decides), else the queue
   * objects (typed there).
   */
  hand: readonly object[] | null;
  hand0: number;
  hand1: number;
  handRevision: number;
  /** The filter's level object for this flow, filled on first use (a flow never outlives its level). */
  level: object | null;
}

const SA_PREFIX = 'system:serviceaccount:';
const NODE_USER_PREFIX = 'system:node:';

function containsOrAll(list: readonly string[], value: string): boolean {
  for (const item of list) if (item === value || item === '*') return true;
  return false;
}

function subjectMatches(subject: CompiledSubject, identity: Identity): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === '*' || subject.name === identity.user;
    case 'Group':
      return subject.name === '*' || identity.groups.includes(subject.name);
    case 'ServiceAccount': {
      const user = identity.user;
      if (!user.startsWith(SA_PREFIX)) return false;
      if (subject.name === '*') return user.startsWith(subject.userPrefix);
      return user === subject.user;
    }
  }
}

function resourceRuleMatches(rule: CompiledResourceRule, request: ApiRequest): boolean {
  if (!containsOrAll(rule.verbs, request.verb)) return false;
  if (!containsOrAll(rule.resources, request.resource)) return false;
  if (!containsOrAll(rule.apiGroups, request.apiGroup)) return false;
  const namespace = request.namespace ?? '';
  if (namespace === '') return rule.clusterScope;
  return containsOrAll(rule.namespaces, namespace);
}

function nonResourceRuleMatches(rule: CompiledNonResourceRule, verb: string, path: string): boolean {
  if (!containsOrAll(rule.verbs, verb)) return false;
  for (const url of rule.urls) {
    if (url === '*' || url === path) return true;
    // "/apis/*" matches every path below /apis/ (match.go matchPolicyRuleNonResourceURL).
    if (url.endsWith('*') && path.startsWith(url.slice(0, -1))) return true;
  }
  return false;
}

export function flowSchemaMatches(fs: CompiledFlowSchema, request: ApiRequest): boolean {
  const isNonResource = request.resource.startsWith('/');
  for (const rule of fs.rules) {
    let subjectMatched = false;
    for (const subject of rule.subjects) {
      if (subjectMatches(subject, request.identity)) {
        subjectMatched = true;
        break;
      }
    }
    if (!subjectMatched) continue;
    if (isNonResource) {
      for (const r of rule.nonResourceRules)
        if (nonResourceRuleMatches(r, request.verb, request.resource)) return true;
    } else {
      for (const r of rule.resourceRules) if (resourceRuleMatches(r, request)) return true;
    }
  }
  return false;
}

/**
 * Remembered classifications of one identity, flattened as (apiGroup, resource, verb, namespace,
 * flow) quintuples so a hit touches one array.
 */
type IdentityEntries = (string | FlowClassification)[];

/** Quintuples remembered per identity object; past that, requests of the identity match uncached. */
const ENTRIES_PER_IDENTITY = 16;

export interface Classifier {
  classify(request: ApiRequest): FlowClassification;
  /** Uncached path: the reference the cache is tested against. */
  classifyUncached(request: ApiRequest): FlowClassification;
  readonly generation: number;
}

/**
 * NOTE: one cache level, for performance (this runs per request). Simulated clients keep one Identity
 * object, so the cache hangs a short list off that object (one WeakMap lookup and a few string
 * compares, few cache misses); it assumes a user's groups do not change within a configuration
 * generation, which holds for every simulated client. (The API server also memoises per request
 * object.) A second level of nested Maps by user, apiGroup, resource, verb and namespace was
 * dropped: per-node clients (one user each) never hit it, and its Maps were most of the heap the
 * classifier held on a 5,000-node cluster.
 */
export function createClassifier(config: DigestedConfig, generation: number): Classifier {
  const queuesByLevel = new Map<string, number>();
  const exemptLevels = new Set<string>();
  for (const level of config.levels) {
    queuesByLevel.set(level.name, level.queues);
    if (level.kind === 'exempt') exemptLevels.add(level.name);
  }
  const flows = new Map<string, FlowClassification>();
  const byIdentity = new WeakMap<Identity, IdentityEntries>();

  const flowFor = (fs: CompiledFlowSchema, request: ApiRequest): FlowClassification => {
    let distinguisher = '';
    if ((queuesByLevel.get(fs.priorityLevel) ?? 0) > 1) {
      if (fs.distinguisher === 'ByUser') distinguisher = request.identity.user;
      else if (fs.distinguisher === 'ByNamespace') distinguisher = request.namespace ?? '';
    }
    const flowKey = distinguisher === '' ? fs.name : `${fs.name}/${distinguisher}`;
    let flow = flows.get(flowKey);
    if (flow === undefined) {
      // NOTE: what admission reads per request first (one cache line).
      flow = {
        generation,
        level: null,
        handRevision: -1,
        hand0: 0,
        hand1: 0,
        hand: null,
        flowSchema: fs.name,
        priorityLevel: fs.priorityLevel,
        flowKey,
        isExempt: exemptLevels.has(fs.priorityLevel),
        hash: flowHash(flowKey),
        isPerMember:
          distinguisher !== '' && fs.distinguisher === 'ByUser' && distinguisher.startsWith(NODE_USER_PREFIX),
      };
      flows.set(flowKey, flow);
    }
    return flow;
  };

  const classifyUncached = (request: ApiRequest): FlowClassification => {
    for (const fs of config.flowSchemas) if (flowSchemaMatches(fs, request)) return flowFor(fs, request);
    // Unreachable with the mandatory catch-all unless an identity is in neither system:authenticated nor
    // system:unauthenticated; k8s falls back to catch-all then too (apf_controller.go startRequest).
    const catchAll = config.flowSchemas.find((fs) => fs.name === 'catch-all');
    if (catchAll === undefined) throw new Error('APF: the mandatory catch-all FlowSchema is missing (bug)');
    return flowFor(catchAll, request);
  };

  return {
    generation,
    classifyUncached,
    classify(request) {
      const namespace = request.namespace ?? '';
      const entries = byIdentity.get(request.identity);
      if (entries !== undefined) {
        for (let i = 0; i < entries.length; i += 5) {
          if (
            entries[i + 1] === request.resource &&
            entries[i + 2] === request.verb &&
            entries[i + 3] === namespace &&
            entries[i] === request.apiGroup
          )
            return entries[i + 4] as FlowClassification;
        }
      }
      const flow = classifyUncached(request);
      if (entries === undefined)
        byIdentity.set(request.identity, [request.apiGroup, request.resource, request.verb, namespace, flow]);
      else if (entries.length < 5 * ENTRIES_PER_IDENTITY)
        entries.push(request.apiGroup, request.resource, request.verb, namespace, flow);
      return flow;
    },
  };
}
