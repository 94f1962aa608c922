/**
 * Shapes shared by the citizens' search, formatting and service. Independent of Prisma so the
 * search can be built from the database, from the seed CSV (tests, bench) or from anything else.
 */

/** How the catalogue classifies a procedure online (Decree 42/2022 Art. 11, Hà Tĩnh's list). */
export type OnlineLevel = 'toàn trình' | 'một phần' | 'tùy cơ quan' | 'chưa trực tuyến' | 'unknown';

export const ONLINE_LEVELS: readonly OnlineLevel[] = [
  'toàn trình',
  'một phần',
  'tùy cơ quan',
  'chưa trực tuyến',
  'unknown',
];

/** One administrative procedure as the catalogue gives it (official spelling kept for display). */
export interface ProcedureRecord {
  /** Public code on the national portal, e.g. '1.001193'. Always a string. */
  code: string;
  name: string;
  /** Lĩnh vực, e.g. 'Hộ tịch'. */
  field: string;
  /** Implementing level as published ('Cấp xã, Cấp tỉnh'). */
  levelSource: string | null;
  /** Implementing level after 07/2025 ('cấp xã; cấp tỉnh; trung ương'). */
  level: string | null;
  onlineLevel: OnlineLevel;
  /** Per-agency detail when onlineLevel is 'tùy cơ quan'. */
  onlineLevelDetail: string | null;
  processingTime: string | null;
  fee: string | null;
  portalUrl: string | null;
  source: string | null;
}

/** One FAQ entry (from src/citizens/faq.md). */
export interface FaqEntry {
  /** Short stable id, e.g. 'tai-khoan-dvc'. */
  id: string;
  title: string;
  /** Extra everyday phrasings that should find this entry. */
  keywords: string[];
  /** Answer text (Vietnamese, short lines). */
  body: string;
}

export type SearchHit =
  | { kind: 'procedure'; procedure: ProcedureRecord; score: number }
  | { kind: 'faq'; faq: FaqEntry; score: number };

/** What a free-text search found. `confidence` is 0..1; below the threshold `hits` is empty. */
export interface SearchResult {
  /** The query after folding, synonym expansion and stop-word removal (for logs/tests). */
  normalized: string;
  hits: SearchHit[];
  confidence: number;
}

/** Coerce a catalogue value to an OnlineLevel; anything unrecognised becomes 'unknown'. */
export function toOnlineLevel(value: string | null | undefined): OnlineLevel {
  const v = (value ?? '').normalize('NFC').trim().toLowerCase();
  return (ONLINE_LEVELS as readonly string[]).includes(v) ? (v as OnlineLevel) : 'unknown';
}

/**
 * The catalogue's own as-of date (ISO yyyy-mm-dd): the latest date its rows' sources cite
 * ("… Hà Tĩnh, 2026-10-03"), or null when none does.
 */
export function latestSourceDate(procedures: readonly ProcedureRecord[]): string | null {
  let latest: string | null = null;
  for (const p of procedures)
    for (const m of (p.source ?? '').matchAll(/\b(20\d{2}-[01]\d-[0-3]\d)\b/g)) {
      const d = m[1];
      if (d !== undefined && (latest === null || d > latest)) latest = d;
    }
  return latest;
}
