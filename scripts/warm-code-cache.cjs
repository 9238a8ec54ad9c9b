// Build step: run the common commands once in-process, then save V8's code cache for every file of dist/ they
// loaded (see bin/backend-tutor.cjs). Whatever these runs compiled is then read from the cache, not compiled.
const { mkdtempSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { compiled, loaded } = require('../bin/backend-tutor.cjs');

const RUNS = [['--help'], ['topics'], ['progress'], ['lesson', 'caching'], ['quiz', '--topic', 'caching']];

(async () => {
  const home = mkdtempSync(join(tmpdir(), 'bt-warm-'));
  process.env.BACKEND_TUTOR_HOME = home;
  const dist = join(__dirname, '..', 'dist');
  const { main } = compiled(join(dist, 'cli.cjs'));
  // The prompts' library is loaded by a quiz only in a terminal: load it here so it is cached too.
  compiled(join(dist, 'vendor', 'inquirer-core.cjs'));
  process.stdout.write = process.stderr.write = () => true;
  for (const argv of RUNS) await main(argv);
  rmSync(home, { recursive: true, force: true });
  for (const [file, { script }] of loaded) {
    writeFileSync(`${file}.cache.${process.pid}`, script.createCachedData());
    renameSync(`${file}.cache.${process.pid}`, `${file}.cache`);
  }
})();
