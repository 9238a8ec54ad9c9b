#!/usr/bin/env node
'use strict';
// CommonJS, like the bundle it starts: no ES-module loader on the start-up path. The bundle and the libraries
// beside it (dist/vendor/) are compiled with the V8 code cache written next to each at build time (what
// Node 22's module.enableCompileCache does; Node 20 lacks it): parsing and compiling was most of the start-up.
// A cache from another Node version is rejected by V8 and the file is simply compiled from source. Only our
// own built files run here, never content.
const { readFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');
const { createRequire, wrap } = require('node:module');
const { Script } = require('node:vm');

const loaded = new Map();

function compiled(file) {
  const done = loaded.get(file);
  if (done) return done.module.exports;
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    // built without a cache: compile from source
  }
  const script = new Script(wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  const module = { exports: {} };
  loaded.set(file, { script, module });
  const plain = createRequire(file);
  const require = (id) => (/^\.\.?\/vendor\//.test(id) ? compiled(resolve(dirname(file), id)) : plain(id));
  script.runInThisContext().call(module.exports, module.exports, require, module, file, dirname(file));
  return module.exports;
}

if (require.main === module) compiled(join(__dirname, '..', 'dist', 'cli.cjs')).start();
else module.exports = { compiled, loaded };
