/**
 * `npm run bench:parse`: one-line report parser throughput on one core (messages/s) over a
 * generated corpus of real-style staff messages (codes, aliases with and without diacritics,
 * number and period forms, and ~15% messages with errors), then the detection path a linked
 * reporter's free text takes (`readMessage`: classify and read, with the sender's units) over
 * the code-style corpus mixed with the free-text corpus of issue 13 (greetings, names, numbers
 * in words, keyboard slips, status and citizens' questions).
 *
 * Options: `--messages N` (default 20000), `--rounds N` (default 5). Prints the wall-clock rate
 * (median and best round) and the rate per CPU-second, which stays meaningful on a shared,
 * loaded machine (GC and JIT threads count towards CPU time, so it is slightly pessimistic).
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_SCHEDULE } from '../src/domain/schedule.js';
import { indicatorDefsFromCsv } from '../src/report-parser/catalogue.js';
import { parseReport } from '../src/report-parser/parser.js';
import { readMessage } from '../src/report-parser/read.js';
import { negativeCases, positiveCases, type CorpusCase } from '../test/report-parser/corpus.js';
import { corpusUnits, freeTextCases } from '../test/report-parser/free-text-corpus.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const total = arg('messages', 20000);
const rounds = arg('rounds', 5);
const catalogue = indicatorDefsFromCsv('prisma/seed/indicators.csv');

const negatives = negativeCases(catalogue, 7);
const corpus: CorpusCase[] = positiveCases(catalogue, Math.ceil(total * 0.85), 11);
for (let i = 0; corpus.length < total; i++)
  corpus.push(negatives[i % negatives.length] as CorpusCase);

// Warm-up (JIT, compiled catalogue).
let ok = 0;
for (const c of corpus.slice(0, 2000))
  if (parseReport(c.text, catalogue, c.now, DEFAULT_SCHEDULE).ok) ok++;

// Wall-clock rate, and the rate per CPU-second (what one core does when it is not shared).
const rates: number[] = [];
const cpuRates: number[] = [];
for (let r = 0; r < rounds; r++) {
  ok = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const c of corpus) if (parseReport(c.text, catalogue, c.now, DEFAULT_SCHEDULE).ok) ok++;
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  rates.push(corpus.length / (ms / 1000));
  cpuRates.push(corpus.length / ((cpu.user + cpu.system) / 1e6));
}
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const medianOf = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)] ?? 0;
const median = medianOf(rates);
const best = sorted(rates)[rates.length - 1] ?? 0;
const cpuMedian = medianOf(cpuRates);
const avgLen = corpus.reduce((s, c) => s + c.text.length, 0) / corpus.length;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

console.log(
  `bench:parse — ${corpus.length} messages (avg ${avgLen.toFixed(1)} chars, ${ok} parse ok), ${rounds} rounds, one core`,
);
console.log(
  `wall clock: median ${fmt(median)} messages/s, best ${fmt(best)} messages/s (${(1e6 / median).toFixed(1)} µs/message)`,
);
console.log(
  `per CPU-second (load-independent): median ${fmt(cpuMedian)} messages/s (${(1e6 / cpuMedian).toFixed(1)} µs/message)`,
);

// The detection path: readMessage over code-style and free-text messages, half and half.
const units = corpusUnits();
const free = freeTextCases(catalogue, 29);
const mixed: { text: string; now: Date; unit: string }[] = [];
for (let i = 0; mixed.length < total; i++) {
  const c = i % 2 === 0 ? free[i % free.length] : corpus[i % corpus.length];
  if (c) mixed.push({ text: c.text, now: c.now, unit: 'unit' in c ? c.unit : '18073' });
}
const senders = new Map<string, { own: string[]; units: typeof units }>();
const senderOf = (code: string) => {
  let s = senders.get(code);
  if (!s) senders.set(code, (s = { own: [code], units }));
  return s;
};
const kinds = new Map<string, number>();
const readOnce = (): number => {
  let complete = 0;
  for (const m of mixed) {
    const r = readMessage(m.text, {
      catalogue,
      now: m.now,
      schedule: DEFAULT_SCHEDULE,
      sender: senderOf(m.unit),
    });
    if (r.kind === 'complete') complete++;
    kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  }
  return complete;
};
// The first pass runs with cold caches (suggestions, compiled units) and a cold JIT.
const cold0 = process.cpuUsage();
readOnce();
const coldCpu = process.cpuUsage(cold0);
kinds.clear();
const readRates: number[] = [];
const readCpu: number[] = [];
for (let r = 0; r < rounds; r++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  readOnce();
  const cpu = process.cpuUsage(c0);
  readRates.push(mixed.length / ((performance.now() - t0) / 1000));
  readCpu.push(mixed.length / ((cpu.user + cpu.system) / 1e6));
}
const perKind = [...kinds].map(([k, n]) => `${k} ${Math.round(n / rounds)}`).join(', ');
console.log(
  `detection path, first pass (cold caches and JIT): ${fmt(mixed.length / ((coldCpu.user + coldCpu.system) / 1e6))} messages per CPU-second`,
);
console.log(
  `detection path (readMessage, sender's units, ${mixed.length} messages: ${perKind}): wall clock median ${fmt(medianOf(readRates))} messages/s; per CPU-second median ${fmt(medianOf(readCpu))} messages/s (${(1e6 / medianOf(readCpu)).toFixed(1)} µs/message)`,
);
