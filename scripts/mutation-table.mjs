#!/usr/bin/env node
/**
 * Markdown rows for test/mutation/README.md from reports/mutation/<module>/mutation.json:
 * module | file | mutants | killed (incl. timeouts) | survived | no coverage | ignored (static) | score.
 * The score is Stryker's raw score: killed / (killed + survived + no coverage).
 */
import fs from 'node:fs';
import path from 'node:path';

const dir = 'reports/mutation';
for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
  const file = path.join(dir, name, 'mutation.json');
  if (!fs.existsSync(file)) continue;
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const [f, { mutants }] of Object.entries(report.files)) {
    const c = (...s) => mutants.filter((m) => s.includes(m.status)).length;
    const killed = c('Killed', 'Timeout');
    const survived = c('Survived');
    const noCov = c('NoCoverage');
    const score = ((100 * killed) / Math.max(1, killed + survived + noCov)).toFixed(1);
    console.log(
      `| ${name} | ${f} | ${mutants.length} | ${killed} (${c('Timeout')} t/o) | ${survived} | ${noCov} | ${c('Ignored')} | ${score} % |`,
    );
  }
}
