/**
 * The JSON Schema shipped in schema/scenario.schema.json (editor completion and validation) and
 * the field reference in docs/scenario.md, both generated from the zod schema. A test keeps the
 * committed files equal to what this module generates.
 */
import { z } from 'zod';
import { API_VERSION, scenarioSchema } from './schema.js';
import { jsonSchemaOverride } from './schema-kit.js';

export const SCHEMA_ID = 'https://stormglass.dev/schema/scenario.schema.json';

type Json = Record<string, unknown>;

export function generateJsonSchema(): Json {
  const generated = z.toJSONSchema(scenarioSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: jsonSchemaOverride,
  }) as Json;
  return { $id: SCHEMA_ID, ...generated };
}

function typeOf(s: Json): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.enum))
    return (s.enum as unknown[]).map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const any = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (any) {
    const pattern = any.find((a) => typeof a.pattern === 'string');
    if (pattern && String(pattern.pattern).includes('ns|us')) return 'duration';
    if (pattern && String(pattern.pattern).includes('Ki|Mi')) return 'quantity';
    if (pattern && String(pattern.pattern).includes('%')) return 'fraction';
    return [...new Set(any.map(typeOf))].join(' \\| ');
  }
  if (s.type === 'array') return `list of ${typeOf((s.items as Json) ?? {})}`;
  if (s.type === 'object') return s.properties ? 'mapping' : 'map';
  if (s.type === 'integer') {
    const range =
      s.minimum !== undefined || s.maximum !== undefined ? ` ${s.minimum ?? ''}..${s.maximum ?? ''}` : '';
    return `integer${range}`;
  }
  if (Array.isArray(s.type)) return (s.type as string[]).join(' \\| ');
  return typeof s.type === 'string' ? s.type : 'any';
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown tables of every field, by section, from the generated JSON Schema. */
export function renderReference(): string {
  const schema = generateJsonSchema();
  const rows: string[] = [];
  const walk = (s: Json, path: string, required: boolean): void => {
    const description = typeof s.description === 'string' ? s.description : '';
    if (path !== '')
      rows.push(
        `| \`${path}\`${required ? ' (required)' : ''} | ${typeOf(s)} | ${escapeCell(description)} |`,
      );
    if (s.type === 'object' && s.properties) {
      const req = new Set((s.required as string[] | undefined) ?? []);
      for (const [key, child] of Object.entries(s.properties as Record<string, Json>)) {
        walk(child, path === '' ? key : `${path}.${key}`, req.has(key));
      }
      return;
    }
    if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
      const child = s.additionalProperties as Json;
      if (child.type === 'object' && child.properties) walk(child, `${path}.<name>`, false);
      return;
    }
    if (s.type === 'array' && s.items) {
      const items = s.items as Json;
      if (items.properties || items.oneOf || items.anyOf) walkItems(items, `${path}[]`);
      return;
    }
    const variants = (s.oneOf ?? s.anyOf) as Json[] | undefined;
    if (variants) walkItems(s, path);
  };
  const walkItems = (s: Json, path: string): void => {
    const variants = (s.oneOf ?? s.anyOf) as Json[] | undefined;
    if (!variants) {
      walk(s, path, false);
      return;
    }
    for (const v of variants) {
      if (!(v.type === 'object' && v.properties)) continue;
      const props = v.properties as Record<string, Json>;
      const discriminator = Object.entries(props).find(([, p]) => p.const !== undefined);
      const label = discriminator ? `${path} (${discriminator[0]}: ${String(discriminator[1].const)})` : path;
      const req = new Set((v.required as string[] | undefined) ?? []);
      for (const [key, child] of Object.entries(props)) walk(child, `${label}.${key}`, req.has(key));
    }
  };
  walk(schema, '', false);
  return [
    `Generated from the schema (\`${API_VERSION}\`); do not edit by hand.`,
    '',
    '| field | type | meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
