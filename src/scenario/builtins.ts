/**
 * Built-in scenarios live as YAML files in the package's scenarios/ folder (not as code): the
 * same pipeline validates them, and `stormglass list` shows each with its one-line description.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

let root: string | null = null;

/** The package root: the nearest folder above this module with stormglass's package.json. */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'stormglass') {
        root = dir;
        return dir;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(
        'stormglass: cannot find the package root (package.json named "stormglass") above this module',
      );
    dir = parent;
  }
}

export function scenariosDir(): string {
  return path.join(packageRoot(), 'scenarios');
}

/** Names of the built-in scenarios, sorted. */
export function builtInNames(): string[] {
  const dir = scenariosDir();
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

export function builtInPath(name: string): string | null {
  if (!/^[a-z0-9][-a-z0-9]*$/.test(name)) return null;
  const file = path.join(scenariosDir(), `${name}.yaml`);
  return fs.existsSync(file) ? file : null;
}

export interface BuiltInSummary {
  readonly name: string;
  readonly description: string;
  readonly path: string;
}

/** Name and description of every built-in (read from metadata, without full validation). */
export function listBuiltIns(): BuiltInSummary[] {
  return builtInNames().map((name) => {
    const file = path.join(scenariosDir(), `${name}.yaml`);
    const doc = parseDocument(fs.readFileSync(file, 'utf8'));
    const value = doc.errors.length === 0 ? doc.getIn(['metadata', 'description']) : undefined;
    const description = typeof value === 'string' ? value : '(invalid: run stormglass validate on it)';
    return { name, description, path: file };
  });
}

/** stormglass's version, from package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}
