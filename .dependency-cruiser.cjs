// Layers: engine <- model <- scenario <- analysis / report / cli. Imports point downwards only.
const layers = ['engine', 'model', 'scenario', 'analysis', 'report', 'cli'];
const above = (i) => layers.slice(i + 1).join('|');
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Modules must not form import cycles.', from: {}, to: { circular: true } },
    ...layers.slice(0, 3).map((layer, i) => ({
      name: `${layer}-imports-downward-only`,
      severity: 'error',
      comment: `${layer} may not import from ${above(i)}.`,
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(${above(i)})/` },
    })),
    {
      name: 'analysis-report-cli-siblings',
      severity: 'error',
      comment: 'analysis and report sit beside each other below cli; neither imports cli.',
      from: { path: '^src/(analysis|report)/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: { doNotFollow: { path: 'node_modules' }, tsConfig: { fileName: 'tsconfig.json' }, tsPreCompilationDeps: true },
};
