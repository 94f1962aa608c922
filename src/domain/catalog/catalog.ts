/**
 * Public services catalogue store (Procedure rows + CatalogMeta). The search index (helper C)
 * is built from these rows; `services.updatedAt` tells users how fresh the catalogue is.
 */
import type { Prisma, PrismaClient } from '../../db/generated/client.js';

export const ONLINE_LEVELS = [
  'toàn trình',
  'một phần',
  'tùy cơ quan',
  'chưa trực tuyến',
  'unknown',
] as const;
export type OnlineLevel = (typeof ONLINE_LEVELS)[number];

/** CatalogMeta key holding the ISO time of the last catalogue change. */
export const SERVICES_UPDATED_AT = 'services.updatedAt';

/**
 * CatalogMeta key holding the catalogue's own as-of date (ISO yyyy-mm-dd) given at import
 * (`import services <file> --as-of <date>`); without it the latest date the rows' sources cite.
 */
export const SERVICES_AS_OF = 'services.asOf';

type Db = PrismaClient | Prisma.TransactionClient;

/** Every procedure, ordered by code. */
export function listProcedures(db: Db) {
  return db.procedure.findMany({ orderBy: { code: 'asc' } });
}

/** When the catalogue last changed (from the last import that changed something), or null. */
export async function catalogUpdatedAt(db: Db): Promise<Date | null> {
  const row = await db.catalogMeta.findUnique({ where: { key: SERVICES_UPDATED_AT } });
  return row ? new Date(row.value) : null;
}
