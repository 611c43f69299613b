/**
 * Real Kubernetes manifests as input: multi-document YAML and `kind: List` dumps from
 * `kubectl get -o yaml`. Objects are typed with kubernetes-types; only the fields the model reads
 * are validated (with zod, loosely: real manifests carry many fields we ignore). API-server
 * defaulting is applied where the model needs a value the manifest may omit.
 */
import type { DaemonSet, Deployment } from 'kubernetes-types/apps/v1.d.ts';
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
} from 'kubernetes-types/rbac/v1.d.ts';
import { z } from 'zod';
import { formatPath, type Issue, type IssueCode, listChoices, type PathSegment } from './issues.js';
import { type SourceIndex, parseYamlStream } from './source.js';
import { errorMap, translateZodIssues } from './zod-issues.js';

/** Kinds stormglass reads, with the apiVersions it accepts. */
export const ACCEPTED_KINDS: Readonly<Record<string, readonly string[]>> = {
  DaemonSet: ['apps/v1'],
  Deployment: ['apps/v1'],
  ServiceAccount: ['v1'],
  ClusterRole: ['rbac.authorization.k8s.io/v1'],
  ClusterRoleBinding: ['rbac.authorization.k8s.io/v1'],
  Role: ['rbac.authorization.k8s.io/v1'],
  RoleBinding: ['rbac.authorization.k8s.io/v1'],
  FlowSchema: ['flowcontrol.apiserver.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1beta3'],
  PriorityLevelConfiguration: ['flowcontrol.apiserver.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1beta3'],
  // Carried along in real agent bundles; they do not change the model.
  Namespace: ['v1'],
  ConfigMap: ['v1'],
  List: ['v1'],
};

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
  /** The converted YAML object (registered in the SourceIndex: locate paths under it). */
  readonly raw: Record<string, unknown>;
  readonly file: string;
}

export type ReadResult =
  | { readonly kind: 'ok'; readonly text: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'error'; readonly message: string };

export interface ManifestFile {
  readonly objects: readonly KubeObject[];
  readonly issues: readonly Issue[];
}

/** Where a manifest object's issue is: file:line of `path` under the object. */
export function objectIssue(
  obj: KubeObject,
  index: SourceIndex,
  path: readonly PathSegment[],
  code: IssueCode,
  message: string,
  hint: string,
  severity: 'error' | 'warning' = 'error',
): Issue {
  const loc = index.locate(obj.raw, path);
  return {
    code,
    severity,
    path: `${obj.kind}/${obj.namespace ? `${obj.namespace}/` : ''}${obj.name}${path.length ? `.${formatPath(path)}` : ''}`,
    file: loc?.file ?? obj.file,
    line: loc?.line ?? 0,
    column: loc?.column ?? 0,
    message,
    hint,
  };
}

const cache = new Map<string, ManifestFile>();
const CACHE_ENTRIES = 64;

/**
 * parseManifestFile, remembering recent results by file and content: a manifest referenced by
 * every variant of a scenario, or loaded again, is parsed once. Parsed objects are never mutated.
 */
export function parseManifestFileCached(text: string, file: string, index: SourceIndex): ManifestFile {
  const key = `${file}\u0000${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = parseManifestFile(text, file, index);
  if (cache.size >= CACHE_ENTRIES) cache.clear();
  cache.set(key, parsed);
  return parsed;
}

/** Parses one manifest file into objects, flattening Lists; unknown kinds are errors. */
export function parseManifestFile(text: string, file: string, index: SourceIndex): ManifestFile {
  const { values, issues } = parseYamlStream(text, file, index);
  const objects: KubeObject[] = [];
  const out: Issue[] = [...issues];
  const visit = (value: unknown, where: readonly PathSegment[], root: unknown): void => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const loc = index.locate(root, where);
      out.push({
        code: 'manifest-invalid',
        severity: 'error',
        path: formatPath(loc?.path ?? where),
        file: loc?.file ?? file,
        line: loc?.line ?? 0,
        column: loc?.column ?? 0,
        message: 'a manifest document must be a Kubernetes object (a mapping with apiVersion and kind)',
        hint: 'check that this document is a Kubernetes object',
      });
      return;
    }
    const raw = value as Record<string, unknown>;
    const kind = raw.kind;
    const apiVersion = raw.apiVersion;
    const metadata = raw.metadata;
    const name =
      metadata !== null &&
      typeof metadata === 'object' &&
      typeof (metadata as { name?: unknown }).name === 'string'
        ? (metadata as { name: string }).name
        : '';
    const namespace =
      metadata !== null &&
      typeof metadata === 'object' &&
      typeof (metadata as { namespace?: unknown }).namespace === 'string'
        ? (metadata as { namespace: string }).namespace
        : undefined;
    const obj: KubeObject = {
      apiVersion: typeof apiVersion === 'string' ? apiVersion : '',
      kind: typeof kind === 'string' ? kind : '',
      name,
      namespace,
      raw,
      file,
    };
    if (typeof kind !== 'string' || typeof apiVersion !== 'string') {
      out.push(
        objectIssue(
          obj,
          index,
          typeof kind !== 'string' ? ['kind'] : ['apiVersion'],
          'manifest-invalid',
          `a Kubernetes object needs string fields apiVersion and kind`,
          'add "apiVersion:" and "kind:" as kubectl writes them',
        ),
      );
      return;
    }
    const versions = ACCEPTED_KINDS[kind];
    if (!versions) {
      out.push(
        objectIssue(
          obj,
          index,
          ['kind'],
          'manifest-unknown-kind',
          `stormglass does not read objects of kind ${kind}`,
          `accepted kinds: ${Object.keys(ACCEPTED_KINDS).join(', ')}; remove this object from the file`,
        ),
      );
      return;
    }
    if (!versions.includes(apiVersion)) {
      out.push(
        objectIssue(
          obj,
          index,
          ['apiVersion'],
          'manifest-invalid',
          `${kind} with apiVersion ${apiVersion} is not supported`,
          `use apiVersion ${listChoices([...versions])}`,
        ),
      );
      return;
    }
    if (kind === 'List') {
      const items = raw.items;
      if (!Array.isArray(items)) {
        out.push(
          objectIssue(
            obj,
            index,
            ['items'],
            'manifest-invalid',
            'a List needs "items"',
            'add the items list',
          ),
        );
        return;
      }
      items.forEach((item, i) => {
        visit(item, [...where, 'items', i], root);
      });
      return;
    }
    if (name === '') {
      out.push(
        objectIssue(
          obj,
          index,
          ['metadata', 'name'],
          'manifest-invalid',
          `${kind} has no metadata.name`,
          'give the object a name',
        ),
      );
      return;
    }
    if (apiVersion.endsWith('/v1beta3')) {
      out.push(
        objectIssue(
          obj,
          index,
          ['apiVersion'],
          'manifest-invalid',
          `${kind} ${apiVersion} was removed in Kubernetes 1.32; it is read as flowcontrol.apiserver.k8s.io/v1`,
          'change apiVersion to flowcontrol.apiserver.k8s.io/v1',
          'warning',
        ),
      );
    }
    objects.push(obj);
  };
  for (const value of values) visit(value, [], value);
  return { objects, issues: out };
}

// ---------------------------------------------------------------------------------------------
// Typed views of the kinds the model reads.

const name = z.string().min(1);
const intOrPercent = z.union([z.number().int().min(0), z.string().regex(/^\d+%$/)]);

const daemonSetSchema = z.looseObject({
  metadata: z.looseObject({ name, namespace: z.string().optional() }),
  spec: z.looseObject({
    updateStrategy: z
      .looseObject({
        type: z.enum(['RollingUpdate', 'OnDelete']).optional(),
        rollingUpdate: z.looseObject({ maxUnavailable: intOrPercent.optional() }).optional(),
      })
      .optional(),
    template: z.looseObject({
      spec: z.looseObject({
        serviceAccountName: z.string().optional(),
        serviceAccount: z.string().optional(),
      }),
    }),
  }),
});

const deploymentSchema = z.looseObject({
  metadata: z.looseObject({ name, namespace: z.string().optional() }),
  spec: z.looseObject({
    replicas: z.number().int().min(0).optional(),
    template: z.looseObject({
      spec: z.looseObject({
        serviceAccountName: z.string().optional(),
        serviceAccount: z.string().optional(),
      }),
    }),
  }),
});

const subjectSchema = z.looseObject({
  kind: z.enum(['User', 'Group', 'ServiceAccount']),
  user: z.looseObject({ name }).optional(),
  group: z.looseObject({ name }).optional(),
  serviceAccount: z.looseObject({ name, namespace: name }).optional(),
});

const flowSchemaSchema = z.looseObject({
  metadata: z.looseObject({ name }),
  spec: z.looseObject({
    priorityLevelConfiguration: z.looseObject({ name }),
    matchingPrecedence: z.number().int().min(1).max(10_000).optional(),
    distinguisherMethod: z.looseObject({ type: z.enum(['ByUser', 'ByNamespace']) }).optional(),
    rules: z
      .array(
        z.looseObject({
          subjects: z.array(subjectSchema).min(1),
          resourceRules: z
            .array(
              z.looseObject({
                verbs: z.array(z.string()).min(1),
                apiGroups: z.array(z.string()).min(1),
                resources: z.array(z.string()).min(1),
                clusterScope: z.boolean().optional(),
                namespaces: z.array(z.string()).optional(),
              }),
            )
            .optional(),
          nonResourceRules: z
            .array(
              z.looseObject({
                verbs: z.array(z.string()).min(1),
                nonResourceURLs: z.array(z.string()).min(1),
              }),
            )
            .optional(),
        }),
      )
      .optional(),
  }),
});

const queuingSchema = z.looseObject({
  queues: z.number().int().min(1).max(10_000).optional(),
  handSize: z.number().int().min(1).max(10_000).optional(),
  queueLengthLimit: z.number().int().min(1).max(1_000_000).optional(),
});

const plcSchema = z.looseObject({
  metadata: z.looseObject({ name }),
  spec: z.looseObject({
    type: z.enum(['Exempt', 'Limited']),
    limited: z
      .looseObject({
        nominalConcurrencyShares: z.number().int().min(0).optional(),
        lendablePercent: z.number().int().min(0).max(100).optional(),
        borrowingLimitPercent: z.number().int().min(0).optional(),
        limitResponse: z
          .looseObject({
            type: z.enum(['Queue', 'Reject']),
            queuing: queuingSchema.optional(),
          })
          .optional(),
      })
      .optional(),
    exempt: z
      .looseObject({
        nominalConcurrencyShares: z.number().int().min(0).optional(),
        lendablePercent: z.number().int().min(0).max(100).optional(),
      })
      .optional(),
  }),
});

const policyRuleSchema = z.looseObject({
  verbs: z.array(z.string()),
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
});
const roleSchema = z.looseObject({ rules: z.array(policyRuleSchema).optional() });
const bindingSchema = z.looseObject({
  roleRef: z.looseObject({ kind: z.enum(['ClusterRole', 'Role']), name }),
  subjects: z.array(z.looseObject({ kind: z.string(), name, namespace: z.string().optional() })).optional(),
});

function check<T>(schema: z.ZodType<T>, obj: KubeObject, index: SourceIndex, issues: Issue[]): T | null {
  const r = schema.safeParse(obj.raw, { error: errorMap, reportInput: true });
  if (r.success) return r.data;
  const translated = translateZodIssues(r.error.issues, { root: obj.raw, index, file: obj.file });
  for (const t of translated) {
    issues.push({
      ...t,
      code: 'manifest-invalid',
      path: `${obj.kind}/${obj.namespace ? `${obj.namespace}/` : ''}${obj.name} ${t.path}`.trim(),
      message: `${obj.kind} ${obj.name}: ${t.message}`,
    });
  }
  return null;
}

/** FlowSchema with API-server defaulting (flowcontrol v1 defaults.go: matchingPrecedence 1000). */
export function toFlowSchema(obj: KubeObject, index: SourceIndex, issues: Issue[]): FlowSchema | null {
  const v = check(flowSchemaSchema, obj, index, issues);
  if (!v) return null;
  const spec = v.spec as unknown as FlowSchema['spec'] & object;
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { ...(v.metadata as object), name: v.metadata.name },
    spec: { ...spec, matchingPrecedence: v.spec.matchingPrecedence ?? 1000 },
  };
}

/**
 * PriorityLevelConfiguration with API-server defaulting (flowcontrol v1 defaults.go:
 * nominalConcurrencyShares 30 (Limited) / 0 (Exempt), lendablePercent 0, queues 64, handSize 8,
 * queueLengthLimit 50) and validation (handSize <= queues; Limited needs limitResponse).
 */
export function toPriorityLevel(
  obj: KubeObject,
  index: SourceIndex,
  issues: Issue[],
): PriorityLevelConfiguration | null {
  const v = check(plcSchema, obj, index, issues);
  if (!v) return null;
  const spec = v.spec;
  const metadata = { ...(v.metadata as object), name: v.metadata.name };
  if (spec.type === 'Exempt') {
    return {
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      kind: 'PriorityLevelConfiguration',
      metadata,
      spec: {
        type: 'Exempt',
        exempt: {
          nominalConcurrencyShares: spec.exempt?.nominalConcurrencyShares ?? 0,
          lendablePercent: spec.exempt?.lendablePercent ?? 0,
        },
      },
    };
  }
  const limited = spec.limited;
  if (!limited?.limitResponse) {
    issues.push(
      objectIssue(
        obj,
        index,
        ['spec', 'limited', 'limitResponse'],
        'manifest-invalid',
        `PriorityLevelConfiguration ${obj.name}: a Limited level needs spec.limited.limitResponse`,
        'add limitResponse: {type: Queue, queuing: {...}} or {type: Reject}',
      ),
    );
    return null;
  }
  const response = limited.limitResponse;
  let queuing: { queues: number; handSize: number; queueLengthLimit: number } | undefined;
  if (response.type === 'Queue') {
    queuing = {
      queues: response.queuing?.queues ?? 64,
      handSize: response.queuing?.handSize ?? 8,
      queueLengthLimit: response.queuing?.queueLengthLimit ?? 50,
    };
    if (queuing.handSize > queuing.queues) {
      issues.push(
        objectIssue(
          obj,
          index,
          ['spec', 'limited', 'limitResponse', 'queuing', 'handSize'],
          'manifest-invalid',
          `PriorityLevelConfiguration ${obj.name}: handSize ${queuing.handSize} is larger than queues ${queuing.queues}`,
          'the API server requires handSize <= queues (flowcontrol validation); lower handSize',
        ),
      );
      return null;
    }
  }
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'PriorityLevelConfiguration',
    metadata,
    spec: {
      type: 'Limited',
      limited: {
        nominalConcurrencyShares: limited.nominalConcurrencyShares ?? 30,
        lendablePercent: limited.lendablePercent ?? 0,
        ...(limited.borrowingLimitPercent !== undefined
          ? { borrowingLimitPercent: limited.borrowingLimitPercent }
          : {}),
        limitResponse: queuing ? { type: 'Queue', queuing } : { type: 'Reject' },
      },
    },
  };
}

export interface ManifestWorkload {
  readonly object: KubeObject;
  readonly kind: 'DaemonSet' | 'Deployment';
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly replicas: number;
  /** Absolute count, or a percentage of nodes (DaemonSet maxUnavailable as written). */
  readonly maxUnavailable: number | { readonly percent: number };
  readonly typed: DaemonSet | Deployment;
}

/** The DaemonSet/Deployment of a workload's manifests, with Kubernetes defaulting. */
export function toWorkload(obj: KubeObject, index: SourceIndex, issues: Issue[]): ManifestWorkload | null {
  if (obj.kind === 'DaemonSet') {
    const v = check(daemonSetSchema, obj, index, issues);
    if (!v) return null;
    const podSpec = v.spec.template.spec;
    const mu = v.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
    return {
      object: obj,
      kind: 'DaemonSet',
      name: v.metadata.name,
      namespace: v.metadata.namespace ?? 'default',
      serviceAccount: podSpec.serviceAccountName ?? podSpec.serviceAccount ?? 'default',
      replicas: 0,
      maxUnavailable: typeof mu === 'number' ? mu : { percent: Number(mu.slice(0, -1)) },
      typed: v as unknown as DaemonSet,
    };
  }
  const v = check(deploymentSchema, obj, index, issues);
  if (!v) return null;
  const podSpec = v.spec.template.spec;
  return {
    object: obj,
    kind: 'Deployment',
    name: v.metadata.name,
    namespace: v.metadata.namespace ?? 'default',
    serviceAccount: podSpec.serviceAccountName ?? podSpec.serviceAccount ?? 'default',
    replicas: v.spec.replicas ?? 1,
    maxUnavailable: 1,
    typed: v as unknown as Deployment,
  };
}

/**
 * RBAC rules that bind to a service account, from the given objects. Returns null when the
 * manifests carry no binding for it (its permissions live elsewhere; nothing to check).
 */
export function rulesFor(
  objects: readonly KubeObject[],
  serviceAccount: string,
  namespace: string,
  index: SourceIndex,
  issues: Issue[],
): PolicyRule[] | null {
  const roles = new Map<string, PolicyRule[]>();
  for (const o of objects) {
    if (o.kind !== 'ClusterRole' && o.kind !== 'Role') continue;
    const v = check(roleSchema, o, index, issues);
    if (v)
      roles.set(
        `${o.kind}/${o.kind === 'Role' ? (o.namespace ?? 'default') : ''}/${o.name}`,
        (v as ClusterRole | Role).rules ?? [],
      );
  }
  let bound = false;
  const rules: PolicyRule[] = [];
  for (const o of objects) {
    if (o.kind !== 'ClusterRoleBinding' && o.kind !== 'RoleBinding') continue;
    const v = check(bindingSchema, o, index, issues) as ClusterRoleBinding | RoleBinding | null;
    if (!v) continue;
    const matches = (v.subjects ?? []).some(
      (s) =>
        s.kind === 'ServiceAccount' &&
        s.name === serviceAccount &&
        (s.namespace ?? o.namespace ?? 'default') === namespace,
    );
    if (!matches) continue;
    bound = true;
    const roleNs = v.roleRef.kind === 'Role' ? (o.namespace ?? 'default') : '';
    rules.push(...(roles.get(`${v.roleRef.kind}/${roleNs}/${v.roleRef.name}`) ?? []));
  }
  return bound ? rules : null;
}

/** Whether RBAC rules allow verb on resource in apiGroup (wildcards "*" honoured). */
export function isAllowed(
  rules: readonly PolicyRule[],
  verb: string,
  apiGroup: string,
  resource: string,
): boolean {
  return rules.some(
    (r) =>
      (r.verbs.includes('*') || r.verbs.includes(verb)) &&
      ((r.apiGroups ?? []).includes('*') || (r.apiGroups ?? []).includes(apiGroup)) &&
      ((r.resources ?? []).includes('*') || (r.resources ?? []).includes(resource)),
  );
}
