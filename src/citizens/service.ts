import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DbClient } from '../db/client.js';
import { SERVICES_AS_OF } from '../domain/catalog/catalog.js';
import { compareVi, fold } from '../text/vietnamese.js';
import { loadProceduresCsv } from './catalog-csv.js';
import { SENSITIVE_PLACEHOLDER, maskQuestion } from './privacy.js';
import { loadFaq } from './faq.js';
import type { FieldInfo } from './format.js';
import { buildFieldPhrases, detectIntent } from './intents.js';
import { loadLexicon } from './lexicon-files.js';
import { CitizenSearch, DEFAULT_TUNING, type SearchTuning } from './search.js';
import { asksForProcedure, isSmallTalk } from './smalltalk.js';
import {
  latestSourceDate,
  toOnlineLevel,
  type FaqEntry,
  type ProcedureRecord,
  type SearchHit,
  type SearchResult,
} from './types.js';

/** CatalogMeta key holding the ISO time of the last `import services`. */
export const SERVICES_UPDATED_AT_KEY = 'services.updatedAt';
export { SERVICES_AS_OF as SERVICES_AS_OF_KEY } from '../domain/catalog/catalog.js';

/** What a citizen's free text turned out to be. */
export type CitizenAnswer =
  | { kind: 'hits'; hits: SearchHit[]; result: SearchResult }
  | { kind: 'notFound'; result: SearchResult; outOfCatalogue: boolean }
  | { kind: 'smallTalk' }
  | { kind: 'fullyOnlineCommune' }
  | { kind: 'fields' }
  | { kind: 'field'; field: FieldInfo };

/** What a miss was: "Không phải cái tôi cần" tapped, or a question that found nothing. */
export type MissKind = 'not_mine' | 'not_found';

/** One search miss as the admin view shows it (no user id, question masked). */
export interface MissRow {
  id: string;
  kind: MissKind;
  question: string;
  shown: string[];
  pickedCode: string | null;
  at: Date;
  pickedAt: Date | null;
}

/** One anonymous unanswered question: folded text and how often it was asked. */
export interface UnansweredRow {
  queryFolded: string;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

export interface CitizenServiceDeps {
  /**
   * The database (root client or a transaction client). Without it the catalogue comes from
   * `catalogFile` (the seed CSV by default) and unanswered questions are counted in memory:
   * that is how tests and the bench run.
   */
  prisma?: DbClient;
  catalogFile?: string;
  faqFile?: string;
  synonymsFile?: string;
  stopwordsFile?: string;
  popularFile?: string;
  tuning?: Partial<SearchTuning>;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/** FNV-1a, 8 hex digits: short, stable button keys for field names. */
export function fieldKey(field: string): string {
  let h = 0x811c9dc5;
  for (const ch of fold(field)) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Anonymise a question before counting it (see ./privacy.ts): folded, with personal data
 * masked and capped; a question disclosing a sensitive fact about the asker is only counted,
 * under one placeholder row. Nothing about who asked is ever passed in.
 */
export function anonymiseQuery(text: string): string {
  const m = maskQuestion(text);
  return m.kind === 'sensitive' ? SENSITIVE_PLACEHOLDER : m.text;
}

/**
 * The citizens' side of the bot: which public services are online, found from everyday words.
 * Holds an in-memory search index of the procedure catalogue and the FAQ; `reload()` rebuilds
 * it after `import services`. Stateless per question, so one instance serves every chat.
 */
export class CitizenService {
  private index: CitizenSearch | undefined;
  private fieldList: FieldInfo[] = [];
  private fieldByKey = new Map<string, FieldInfo>();
  private fieldPhrases = new Map<string, string>();
  private byField = new Map<string, ProcedureRecord[]>();
  private fullyOnline: ProcedureRecord[] = [];
  private catalogUpdatedAt: Date | null = null;
  private catalogAsOf: string | null = null;
  private readonly memoryUnanswered = new Map<string, UnansweredRow>();
  private readonly memoryMisses = new Map<string, MissRow>();

  constructor(private readonly deps: CitizenServiceDeps = {}) {}

  /** Build the index (call once at start-up). */
  async load(): Promise<void> {
    const [procedures, updatedAt, asOf, faqs, builtIn, provinceRules] = await Promise.all([
      this.loadProcedures(),
      this.loadUpdatedAt(),
      this.loadAsOf(),
      loadFaq(this.deps.faqFile),
      loadLexicon({
        ...(this.deps.synonymsFile ? { synonymsFile: this.deps.synonymsFile } : {}),
        ...(this.deps.stopwordsFile ? { stopwordsFile: this.deps.stopwordsFile } : {}),
        ...(this.deps.popularFile ? { popularFile: this.deps.popularFile } : {}),
      }),
      this.deps.prisma?.searchSynonym.findMany({ orderBy: { line: 'asc' } }) ?? [],
    ]);
    // The province's imported rules first: for the same words they win over the built-in ones.
    const lexicon = {
      ...builtIn,
      synonymsText: [...provinceRules.map((r) => r.rule), builtIn.synonymsText].join('\n'),
    };
    this.build(procedures, faqs, lexicon, updatedAt);
    this.catalogAsOf = asOf ?? latestSourceDate(procedures);
    this.deps.logger?.info(
      { procedures: procedures.length, faqs: faqs.length, provinceSynonyms: provinceRules.length },
      'citizen search index built',
    );
  }

  /** Rebuild after the catalogue changed (`import services`). */
  reload(): Promise<void> {
    return this.load();
  }

  private build(
    procedures: ProcedureRecord[],
    faqs: FaqEntry[],
    lexicon: Awaited<ReturnType<typeof loadLexicon>>,
    updatedAt: Date | null,
  ): void {
    const index = new CitizenSearch(procedures, faqs, lexicon, {
      ...DEFAULT_TUNING,
      ...this.deps.tuning,
    });
    const byField = new Map<string, ProcedureRecord[]>();
    for (const p of procedures) {
      if (!p.field) continue;
      const list = byField.get(p.field) ?? [];
      list.push(p);
      byField.set(p.field, list);
    }
    const fields = [...byField.entries()]
      .map(([field, list]) => ({ field, key: fieldKey(field), count: list.length }))
      .sort((a, b) => b.count - a.count || compareVi(a.field, b.field));
    // Swap everything at once so a question never sees half a rebuild.
    this.index = index;
    this.byField = byField;
    this.fieldList = fields;
    this.fieldByKey = new Map(fields.map((f) => [f.key, f]));
    this.fieldPhrases = buildFieldPhrases(byField.keys());
    this.fullyOnline = procedures.filter(
      (p) => p.onlineLevel === 'toàn trình' && /cấp xã/i.test(p.level ?? p.levelSource ?? ''),
    );
    this.catalogUpdatedAt = updatedAt;
  }

  private async loadProcedures(): Promise<ProcedureRecord[]> {
    const db = this.deps.prisma;
    if (!db) return loadProceduresCsv(this.deps.catalogFile);
    const rows = await db.procedure.findMany({ orderBy: { code: 'asc' } });
    return rows.map((r) => ({
      code: r.code,
      name: r.name,
      field: r.field,
      levelSource: r.levelSource,
      level: r.level,
      onlineLevel: toOnlineLevel(r.onlineLevel),
      onlineLevelDetail: r.onlineLevelDetail,
      processingTime: r.processingTime,
      fee: r.fee,
      portalUrl: r.portalUrl,
      source: r.source,
    }));
  }

  private async loadUpdatedAt(): Promise<Date | null> {
    const db = this.deps.prisma;
    if (!db) return null;
    const row = await db.catalogMeta.findUnique({ where: { key: SERVICES_UPDATED_AT_KEY } });
    if (!row) return null;
    const d = new Date(row.value);
    return Number.isNaN(d.getTime()) ? null : d;
  }

  private async loadAsOf(): Promise<string | null> {
    const row = await this.deps.prisma?.catalogMeta.findUnique({
      where: { key: SERVICES_AS_OF },
    });
    return row && /^\d{4}-\d{2}-\d{2}$/.test(row.value) ? row.value : null;
  }

  private engine(): CitizenSearch {
    if (!this.index) throw new Error('CitizenService used before load()');
    return this.index;
  }

  /** Ranked search (no intent detection): best 1–3 hits or none when confidence is low. */
  search(query: string): SearchResult {
    return this.engine().search(query);
  }

  /** Answer a citizen's free text: a list question, a field, or a search. */
  answer(text: string): CitizenAnswer {
    if (isSmallTalk(text)) return { kind: 'smallTalk' };
    const intent = detectIntent(text, this.fieldPhrases);
    if (intent.kind === 'fullyOnlineCommune') return { kind: 'fullyOnlineCommune' };
    if (intent.kind === 'fields') return { kind: 'fields' };
    if (intent.kind === 'field') {
      const info = this.fieldByKey.get(fieldKey(intent.field));
      if (info) return { kind: 'field', field: info };
    }
    const result = this.search(text);
    return result.hits.length > 0
      ? { kind: 'hits', hits: result.hits, result }
      : { kind: 'notFound', result, outOfCatalogue: asksForProcedure(text) };
  }

  procedure(code: string): ProcedureRecord | undefined {
    return this.engine().procedure(code);
  }

  faq(id: string): FaqEntry | undefined {
    return this.engine().faq(id);
  }

  faqs(): FaqEntry[] {
    return this.engine().allFaqs();
  }

  /** Fields of the catalogue, largest first. */
  fields(): FieldInfo[] {
    return this.fieldList;
  }

  fieldByButtonKey(key: string): FieldInfo | undefined {
    return this.fieldByKey.get(key);
  }

  /** The procedures of one field, in catalogue order. */
  proceduresInField(field: string): ProcedureRecord[] {
    return this.byField.get(field) ?? [];
  }

  /** Toàn trình procedures implemented at commune level ("làm online hoàn toàn ở xã"). */
  fullyOnlineAtCommune(): ProcedureRecord[] {
    return this.fullyOnline;
  }

  /**
   * The catalogue's own as-of date (ISO yyyy-mm-dd): given at import, else the latest date its
   * sources cite; this is the date citizens see, not when we imported it.
   */
  asOf(): string | null {
    return this.catalogAsOf;
  }

  /** When the catalogue was last imported (CatalogMeta 'services.updatedAt'), if known. */
  updatedAt(): Date | null {
    return this.catalogUpdatedAt;
  }

  /**
   * Count a question that found nothing, anonymously (folded text + count + first/last time;
   * nothing about who asked), so the catalogue and synonyms can be improved. `tx` lets the
   * caller count inside the update's transaction; default: the service's own client.
   */
  async recordUnanswered(text: string, at: Date, tx?: DbClient): Promise<void> {
    const queryFolded = anonymiseQuery(text);
    if (!queryFolded) return;
    const db = tx ?? this.deps.prisma;
    if (db) {
      await db.unansweredQuery.upsert({
        where: { queryFolded },
        create: { queryFolded, count: 1, firstAt: at, lastAt: at },
        update: { count: { increment: 1 }, lastAt: at },
      });
      return;
    }
    const row = this.memoryUnanswered.get(queryFolded);
    if (row) {
      row.count++;
      row.lastAt = at;
    } else
      this.memoryUnanswered.set(queryFolded, { queryFolded, count: 1, firstAt: at, lastAt: at });
  }

  /**
   * Record a miss: the question (masked like unanswered questions, nothing about who asked) and
   * what was shown. Returns its id, for the person's next pick (`recordPick`).
   */
  async recordMiss(
    miss: { kind: MissKind; question: string; shown: readonly string[] },
    at: Date,
    tx?: DbClient,
  ): Promise<string | undefined> {
    const question = anonymiseQuery(miss.question);
    if (!question) return undefined;
    const row = { kind: miss.kind, question, shown: [...miss.shown].slice(0, 10), at };
    const db = tx ?? this.deps.prisma;
    if (db) return (await db.searchMiss.create({ data: row, select: { id: true } })).id;
    const id = randomUUID();
    this.memoryMisses.set(id, { id, ...row, pickedCode: null, pickedAt: null });
    return id;
  }

  /** The procedure the person opened next after a miss (first pick only). */
  async recordPick(id: string, code: string, at: Date, tx?: DbClient): Promise<void> {
    const db = tx ?? this.deps.prisma;
    if (db) {
      await db.searchMiss.updateMany({
        where: { id, pickedCode: null },
        data: { pickedCode: code.slice(0, 40), pickedAt: at },
      });
      return;
    }
    const row = this.memoryMisses.get(id);
    if (row && row.pickedCode === null) {
      row.pickedCode = code;
      row.pickedAt = at;
    }
  }

  /** Latest misses first. */
  async misses(limit = 50): Promise<MissRow[]> {
    const db = this.deps.prisma;
    if (db) {
      const rows = await db.searchMiss.findMany({ orderBy: { at: 'desc' }, take: limit });
      return rows.map((r) => ({ ...r, kind: r.kind as MissKind }));
    }
    return [...this.memoryMisses.values()]
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, limit);
  }

  /** Most frequent unanswered questions first. */
  async unanswered(limit = 50): Promise<UnansweredRow[]> {
    const db = this.deps.prisma;
    if (db) {
      return db.unansweredQuery.findMany({
        orderBy: [{ count: 'desc' }, { lastAt: 'desc' }],
        take: limit,
      });
    }
    return [...this.memoryUnanswered.values()]
      .sort((a, b) => b.count - a.count || b.lastAt.getTime() - a.lastAt.getTime())
      .slice(0, limit);
  }
}
