/**
 * `import staff <file.csv>`: pre-links staff accounts so they need no invitation code.
 * Columns: unit_code,role,display_name,channel,external_id
 *   - unit_code: a unit in force today; role: reporter | manager | admin;
 *   - channel: telegram | zalo-bot | zalo-oa | sim; external_id: the user id on that channel.
 * Rows with the same (channel, external_id) are the same person (one row per unit/role).
 * Idempotent: an identity already linked keeps its person; an active membership is not doubled.
 * Every membership created is written to the audit log.
 */
import { z } from 'zod';
import type { Prisma } from '../../db/client.js';
import { CHANNELS } from '../../core/message.js';
import { audit } from '../../domain/audit.js';
import { inForceOn, localDate } from '../../domain/units/units.js';
import { readCsv } from '../csv.js';
import { ImportRowsError, zodReason } from '../importers.js';
import type { ApplyContext, ImportSummary, Importer, ParseResult, RowError } from '../importers.js';

export interface StaffRow {
  line: number;
  unitCode: string;
  role: 'reporter' | 'manager' | 'admin';
  displayName: string | null;
  channel: string;
  externalId: string;
}

const rowSchema = z.object({
  unit_code: z.string().regex(/^[0-9A-Za-z]{1,12}$/, 'unit_code must be a unit code'),
  role: z.enum(['reporter', 'manager', 'admin'], {
    message: 'role must be reporter, manager or admin',
  }),
  display_name: z.string().max(200, 'display_name longer than 200 characters').optional(),
  channel: z.enum(CHANNELS, {
    message: `channel must be one of: ${CHANNELS.join(', ')}`,
  }),
  external_id: z
    .string()
    .regex(/^[0-9A-Za-z_.:@-]{1,64}$/, 'external_id must be 1-64 letters, digits or _.:@-'),
});

function parseStaff(content: Buffer): ParseResult<StaffRow[]> {
  const { rows } = readCsv(content.toString('utf8'), [
    'unit_code',
    'role',
    'channel',
    'external_id',
  ]);
  const errors: RowError[] = [];
  const out: StaffRow[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    const p = rowSchema.safeParse(r.values);
    if (!p.success) {
      errors.push({ line: r.line, message: zodReason(p.error.issues) });
      continue;
    }
    const v = p.data;
    const key = `${v.channel}|${v.external_id}|${v.unit_code}|${v.role}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      errors.push({ line: r.line, message: `same person, unit and role as line ${prev}` });
      continue;
    }
    seen.set(key, r.line);
    out.push({
      line: r.line,
      unitCode: v.unit_code,
      role: v.role,
      displayName: v.display_name || null,
      channel: v.channel,
      externalId: v.external_id,
    });
  }
  if (!errors.length && !out.length) errors.push({ line: 0, message: 'no rows' });
  return errors.length ? { ok: false, errors } : { ok: true, value: out, rows: out.length };
}

async function applyStaff(
  tx: Prisma.TransactionClient,
  rows: StaffRow[],
  ctx: ApplyContext,
): Promise<ImportSummary> {
  const counts = { personsCreated: 0, membershipsCreated: 0, unchanged: 0 };
  const errors: RowError[] = [];
  const today = localDate(ctx.now);
  const unitIds = new Map<string, string | null>();
  let done = 0;
  for (const r of rows) {
    if (!unitIds.has(r.unitCode)) {
      const u = await tx.unit.findFirst({
        where: { code: r.unitCode, ...inForceOn(today) },
        select: { id: true },
      });
      unitIds.set(r.unitCode, u?.id ?? null);
    }
    const unitId = unitIds.get(r.unitCode);
    if (!unitId) {
      errors.push({ line: r.line, message: `unknown unit code ${r.unitCode}` });
      continue;
    }
    let identity = await tx.identity.findUnique({
      where: { channel_externalId: { channel: r.channel, externalId: r.externalId } },
    });
    if (!identity) {
      const person = await tx.person.create({ data: { displayName: r.displayName } });
      identity = await tx.identity.create({
        data: { channel: r.channel, externalId: r.externalId, personId: person.id },
      });
      counts.personsCreated++;
      await audit(tx, {
        actor: ctx.actor,
        action: 'person.import',
        entity: 'person',
        entityId: person.id,
        data: { channel: r.channel, displayName: r.displayName },
        at: ctx.now,
      });
    } else if (r.displayName) {
      await tx.person.updateMany({
        where: { id: identity.personId, displayName: null },
        data: { displayName: r.displayName },
      });
    }
    const active = await tx.membership.findFirst({
      where: { personId: identity.personId, unitId, role: r.role, removedAt: null },
    });
    if (active) {
      counts.unchanged++;
    } else {
      const m = await tx.membership.create({
        data: { personId: identity.personId, unitId, role: r.role },
      });
      counts.membershipsCreated++;
      await audit(tx, {
        actor: ctx.actor,
        action: 'membership.create',
        entity: 'membership',
        entityId: m.id,
        data: { personId: identity.personId, unitCode: r.unitCode, role: r.role, via: 'import' },
        at: ctx.now,
      });
    }
    ctx.progress(++done, rows.length);
  }
  if (errors.length) throw new ImportRowsError(errors);
  return { counts };
}

export const importer: Importer<StaffRow[]> = {
  kind: 'staff',
  usage: 'import staff <file.csv>',
  description: 'unit_code,role,display_name,channel,external_id (pre-linked staff accounts)',
  parse: (content) => parseStaff(content),
  apply: (tx, rows, ctx) => applyStaff(tx, rows, ctx),
};
