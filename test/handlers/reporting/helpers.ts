/**
 * A whole app (simulator channel) with the report handlers registered, on a fresh database
 * holding the Hà Tĩnh seed (province 42, its 69 communes, the 17 indicators) loaded with the
 * admin importers, and a clock the test moves.
 */
import { readFileSync } from 'node:fs';
import { runImport, type Importer } from '../../../src/admin/importers.js';
import { importer as indicatorsImporter } from '../../../src/admin/importers/indicators.js';
import { importer as unitsImporter } from '../../../src/admin/importers/units.js';
import type { Db } from '../../../src/db/client.js';
import { findUnitByCode } from '../../../src/domain/access.js';
import { createInvitation } from '../../../src/domain/people/index.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

/** A local (Asia/Ho_Chi_Minh) wall-clock instant. */
export const vn = (iso: string): Date => new Date(`${iso}+07:00`);

export interface ReportTestApp extends TestApp {
  /** The unit's active submissions, by indicator code. */
  activeRows(unitCode: string): Promise<
    {
      indicatorCode: string;
      period: string;
      numerator: unknown;
      denominator: unknown;
      value: unknown;
    }[]
  >;
  /** Set the instant every update is processed at. */
  setNow(d: Date): void;
  /** Send a text or press a button; returns the reply texts and the buttons of the last reply. */
  say(user: string, text: string): Promise<Reply>;
  press(user: string, data: string): Promise<Reply>;
  /** Link `user` as a reporter of unit `code` directly (an invitation redeemed by /link). */
  linkReporter(
    user: string,
    unitCode: string,
    role?: 'reporter' | 'manager' | 'admin',
  ): Promise<void>;
  invite(
    unitCode: string,
    role?: 'reporter' | 'manager' | 'admin',
    expiresIn?: string,
  ): Promise<string>;
}

export interface Reply {
  texts: string[];
  /** All replies' texts joined, for matching. */
  text: string;
  buttons: { label: string; data: string }[];
  /** The button with this label in the last reply that has buttons. */
  button(label: string): string;
}

const ctxFor = (fileName: string) => ({
  now: new Date('2026-01-01T00:00:00Z'),
  actor: 'cli',
  fileName,
  progress: () => {},
});

async function importFile(
  db: Db,
  imp: Importer<unknown>,
  content: Buffer,
  name: string,
): Promise<void> {
  await runImport(db, imp, content, ctxFor(name));
}

/** Province 42, the 69 current communes and the 17 indicators of prisma/seed. */
export async function seedHaTinh(db: Db): Promise<void> {
  await importFile(
    db,
    unitsImporter as Importer<unknown>,
    Buffer.from('code,name_vi,type\n42,Tỉnh Hà Tĩnh,Tỉnh\n'),
    'province.csv',
  );
  await importFile(
    db,
    unitsImporter as Importer<unknown>,
    readFileSync('prisma/seed/ha_tinh_communes_2025.csv'),
    'communes.csv',
  );
  await importFile(
    db,
    indicatorsImporter as Importer<unknown>,
    readFileSync('prisma/seed/indicators.csv'),
    'indicators.csv',
  );
}

function toReply(r: Awaited<ReturnType<TestApp['sim']>>): Reply {
  const texts = r.replies.map((x) => x.text);
  const withButtons = [...r.replies].reverse().find((x) => x.buttons && x.buttons.length > 0);
  const buttons = (withButtons?.buttons ?? []).flat();
  return {
    texts,
    text: texts.join('\n---\n'),
    buttons,
    button(label) {
      const b = buttons.find((x) => x.label === label);
      if (!b)
        throw new Error(
          `no button '${label}' in ${JSON.stringify(buttons)} after:\n${texts.join('\n---\n')}`,
        );
      return b.data;
    },
  };
}

export async function startReportApp(start: Date): Promise<ReportTestApp> {
  let now = start;
  const t = await startTestApp({}, { clock: () => now });
  await seedHaTinh(t.testDb.db);
  const prisma = t.testDb.db.prisma;
  const invite: ReportTestApp['invite'] = async (unitCode, role = 'reporter', expiresIn) => {
    const r = await createInvitation(prisma, {
      unitCode,
      role,
      createdBy: 'cli',
      now,
      ...(expiresIn ? { expiresIn } : {}),
    });
    return r.code;
  };
  return {
    ...t,
    setNow(d) {
      now = d;
    },
    async say(user, text) {
      return toReply(await t.sim(user, { text }));
    },
    async press(user, data) {
      return toReply(await t.sim(user, { button: data }));
    },
    invite,
    async activeRows(unitCode) {
      const unit = await prisma.unit.findFirstOrThrow({
        where: { code: unitCode, effectiveTo: null },
      });
      return prisma.submission.findMany({
        where: { unitId: unit.id, status: 'active' },
        orderBy: { indicatorCode: 'asc' },
      });
    },
    async linkReporter(user, unitCode, role = 'reporter') {
      const code = await invite(unitCode, role);
      const r = toReply(await t.sim(user, { text: `/link ${code}` }));
      if (!/Đã liên kết|linked/.test(r.text)) throw new Error(`link failed: ${r.text}`);
      await findUnitByCode(prisma, unitCode, now);
    },
  };
}
