#!/usr/bin/env node
/**
 * Mutation testing, one module at a time (issue #10 item 1):
 *
 *   npm run test:mutation -- <module> [<module> ...]   # run those modules, incrementally
 *   npm run test:mutation -- --list                      # the modules and their files
 *   npm run test:mutation -- --check                     # only check every pattern matches
 *   npm run test:mutation -- <module> --force            # ignore the incremental file
 *   npm run test:mutation -- <module> --concurrency 1    # Stryker workers (default 2)
 *
 * Modules live in test/mutation/modules.mjs. Every `mutate` and `tests` pattern must match at
 * least one file, or the run fails before Stryker starts (files moved by a refactor must be
 * followed, not silently dropped). Each module keeps its incremental file, JSON and HTML
 * report in reports/mutation/<module>/ (gitignored); the per-file table printed at the end is
 * computed from the JSON report with no-coverage mutants counted as survivors.
 * Stryker is CPU-heavy: run this under `nice`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { modules } from '../test/mutation/modules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Expand a glob with `*` (within one path segment) and `{a,b}`; returns matching files. */
export function expand(pattern) {
  const brace = /\{([^{}]*)\}/.exec(pattern);
  if (brace) {
    return brace[1]
      .split(',')
      .flatMap((alt) =>
        expand(pattern.slice(0, brace.index) + alt + pattern.slice(brace.index + brace[0].length)),
      );
  }
  let dirs = [''];
  const segments = pattern.split('/');
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const re = new RegExp(
      `^${segment.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`,
    );
    dirs = dirs.flatMap((dir) => {
      const abs = path.join(root, dir);
      if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) return [];
      return fs
        .readdirSync(abs, { withFileTypes: true })
        .filter((e) => re.test(e.name) && (last ? e.isFile() : e.isDirectory()))
        .map((e) => (dir ? `${dir}/${e.name}` : e.name));
    });
  });
  return dirs.sort();
}

function check(name) {
  const m = modules[name];
  const problems = [];
  for (const kind of ['mutate', 'tests']) {
    for (const p of m[kind])
      if (expand(p).length === 0) problems.push(`${name}: ${kind} pattern ${p} matches no file`);
  }
  return problems;
}

function table(name) {
  const file = path.join(root, 'reports/mutation', name, 'mutation.json');
  if (!fs.existsSync(file)) return;
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const rows = [];
  for (const [f, { mutants }] of Object.entries(report.files)) {
    const c = (s) => mutants.filter((x) => x.status === s).length;
    const killed = c('Killed') + c('Timeout');
    const survived = c('Survived');
    const noCov = c('NoCoverage');
    const ignored = c('Ignored');
    const errors = c('RuntimeError') + c('CompileError');
    const valid = killed + survived + noCov;
    const score = valid ? ((100 * killed) / valid).toFixed(1) : 'n/a';
    rows.push({
      file: f,
      mutants: mutants.length,
      killed,
      survived,
      noCov,
      ignored,
      errors,
      score,
    });
  }
  console.log(`\nmodule ${name} (no-coverage counts as survived; killed includes timeouts):`);
  console.table(rows);
}

const argv = process.argv.slice(2);
// `--concurrency N` (or `--concurrency=N`): Stryker's worker count, 2 unless given.
let concurrency = 2;
const args = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const m = /^--concurrency(?:=(.*))?$/.exec(a);
  if (!m) {
    args.push(a);
    continue;
  }
  const value = m[1] ?? argv[++i];
  concurrency = Number(value);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    console.error(`test:mutation: --concurrency needs a whole number ≥ 1, not ${value}`);
    process.exit(2);
  }
}
const force = args.includes('--force');
const names = args.filter((a) => !a.startsWith('--'));
if (args.includes('--list')) {
  for (const [name, m] of Object.entries(modules)) {
    console.log(
      `${name}\n  mutate: ${m.mutate.flatMap(expand).join(' ')}\n  tests:  ${m.tests.flatMap(expand).join(' ')}`,
    );
  }
  process.exit(0);
}
const problems = Object.keys(modules).flatMap(check);
const unknown = names.filter((n) => !(n in modules));
for (const n of unknown)
  problems.push(`unknown module ${n}; known: ${Object.keys(modules).join(', ')}`);
if (problems.length > 0) {
  for (const p of problems) console.error(`test:mutation: ${p}`);
  process.exit(1);
}
if (args.includes('--check')) {
  console.log(`test:mutation: every pattern of ${Object.keys(modules).length} modules matches`);
  process.exit(0);
}
if (names.length === 0) {
  console.error(
    `usage: npm run test:mutation -- <module>...  (modules: ${Object.keys(modules).join(', ')})`,
  );
  process.exit(2);
}

let failed = false;
for (const name of names) {
  const dir = path.join('reports/mutation', name);
  fs.mkdirSync(path.join(root, dir), { recursive: true });
  const config = {
    $schema: '../../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    packageManager: 'npm',
    testRunner: 'vitest',
    vitest: { configFile: 'test/mutation/vitest.config.mjs', related: false },
    coverageAnalysis: 'perTest',
    mutate: modules[name].mutate,
    ignoreStatic: true,
    concurrency,
    incremental: true,
    force,
    incrementalFile: `${dir}/stryker-incremental.json`,
    tempDirName: `${dir}/.stryker-tmp`,
    cleanTempDir: true,
    ignorePatterns: ['/reports', '/data', '/dist', '/coverage', '/test-artifacts', '/bench'],
    reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
    jsonReporter: { fileName: `${dir}/mutation.json` },
    htmlReporter: { fileName: `${dir}/mutation.html` },
    clearTextReporter: { reportMutants: true, reportTests: false, logTests: false },
    timeoutMS: 10000,
    thresholds: { high: 90, low: 80, break: null },
  };
  const configFile = path.join(dir, 'stryker.config.json');
  fs.writeFileSync(path.join(root, configFile), JSON.stringify(config, null, 2));
  const started = Date.now();
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`test:mutation: ${name} — concurrency ${concurrency}, load average ${load()}`);
  const r = spawnSync(path.join(root, 'node_modules/.bin/stryker'), ['run', configFile], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MUTATION_MODULE: name },
  });
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  table(name);
  console.log(
    `test:mutation: ${name} took ${minutes} min (exit ${r.status}); load average now ${load()}`,
  );
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
