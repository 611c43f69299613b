/**
 * `npm run bench -- <name> [flags]`: runs one benchmark from bench/<name>.ts and prints one JSON
 * object. Benchmarks never run inside `npm test`.
 */
const [name, ...args] = process.argv.slice(2);
const known = ['kernel', 'cluster', 'fm009', 'dataplane', 'quiet'];
if (!name || !known.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${known.join('|')}> [flags]\n`);
  process.exit(1);
}
const mod = (await import(`./${name}.js`)) as { run(args: string[]): Promise<unknown> | unknown };
const result = await mod.run(args);
process.stdout.write(`${JSON.stringify(result)}\n`);
