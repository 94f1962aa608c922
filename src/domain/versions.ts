/**
 * Data versions: a row per kind of imported data (`version.indicators`, `version.schedule`,
 * `version.services`, …) in catalog_meta, changed by every import. Each instance keeps its
 * caches (indicator catalogue, schedule, search index) keyed by these versions and reads them
 * once per update — one indexed query — so an import through any instance, or through the CLI
 * straight on PostgreSQL, reaches every instance on its next update.
 */
import { randomUUID } from 'node:crypto';
import type { DbClient } from '../db/client.js';

export const VERSION_PREFIX = 'version.';

export type DataVersions = ReadonlyMap<string, string>;

/** Every data version (a missing row reads as '' — nothing imported since the version rows came). */
export async function readVersions(db: DbClient): Promise<DataVersions> {
  const rows = await db.catalogMeta.findMany({
    where: { key: { startsWith: VERSION_PREFIX } },
    select: { key: true, value: true },
  });
  return new Map(rows.map((r) => [r.key.slice(VERSION_PREFIX.length), r.value]));
}

/** Mark data of this kind as changed (call in the transaction or right after the import). */
export async function bumpVersion(db: DbClient, what: string): Promise<void> {
  const key = `${VERSION_PREFIX}${what}`;
  const value = randomUUID();
  await db.catalogMeta.upsert({ where: { key }, create: { key, value }, update: { value } });
}
