/**
 * The access matrix (issue 9): reporter / manager / admin / citizen × own unit / other unit /
 * parent unit × every command and button prefix the features register. For each message the
 * rows outside the caller's scope (submissions, memberships, invitations, reopenings) are
 * snapshotted before and after and must not change, and no reply may show another unit's
 * figure to a caller who may not see it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES } from '../../handlers/index.js';
import { composeFeatures } from '../../src/core/feature.js';
import { startReportApp, vn, type ReportTestApp } from '../handlers/reporting/helpers.js';

const OWN = '18100'; // Phường Trần Phú
const OTHER = '18073'; // Phường Thành Sen
const PARENT = '42'; // Tỉnh Hà Tĩnh
/** A figure only Thành Sen has: it must never reach a caller without Thành Sen in scope. */
const OTHER_FIGURE = '77/100';

let app: ReportTestApp;
const ids = new Map<string, string>();

beforeAll(async () => {
  app = await startReportApp(vn('2026-12-02T09:00:00'));
  await app.linkReporter('r-own', OWN);
  await app.linkReporter('m-own', OWN, 'manager');
  await app.linkReporter('admin', PARENT, 'admin');
  await app.linkReporter('r-other', OTHER);
  await app.press('r-other', (await app.say('r-other', 'bc HSCV 77/100')).button('Xác nhận'));
  await app.press('r-own', (await app.say('r-own', 'bc HSTT 40/100')).button('Xác nhận'));
  for (const code of [OWN, OTHER, PARENT]) {
    const u = await app.testDb.db.prisma.unit.findFirstOrThrow({
      where: { code, effectiveTo: null },
    });
    ids.set(code, u.id);
  }
}, 180_000);
afterAll(() => app?.close());

/** Everything of the units outside `scope` that a command could change. */
async function outside(scope: readonly string[]): Promise<string> {
  const p = app.testDb.db.prisma;
  const keep = [...ids.entries()].filter(([code]) => !scope.includes(code)).map(([, id]) => id);
  const where = { unitId: { in: keep } };
  const [subs, members, invites, reopens] = await Promise.all([
    p.submission.findMany({ where, orderBy: { id: 'asc' } }),
    p.membership.findMany({ where, orderBy: { id: 'asc' } }),
    p.invitation.findMany({ where, orderBy: { id: 'asc' } }),
    p.periodReopen.findMany({ where, orderBy: { id: 'asc' } }),
  ]);
  return JSON.stringify({ subs, members, invites, reopens });
}

const composition = composeFeatures(FEATURES);
const commands = [...composition.commandTable.keys()];
const prefixes = [...new Set(composition.handlers.flatMap((h) => h.buttons ?? []))];

/** Messages a caller may send about a unit: every command bare and naming the unit, then
 *  a few typical follow-ups, and every button prefix with made-up data. */
function messages(unit: string): { text?: string; button?: string }[] {
  return [
    ...commands.flatMap((c) => [
      { text: c },
      { text: `${c} ${unit}` },
      { text: `${c} ${unit} T11` },
    ]),
    { text: `bc HSCV 12/20` },
    { text: `xã ${unit} báo cáo chưa` },
    ...prefixes.flatMap((p) => [{ button: `${p}ok:00000000.0` }, { button: `${p}u:00000000.0:0` }]),
  ];
}

const callers: { user: string; role: string; scope: string[] }[] = [
  { user: 'r-own', role: 'reporter', scope: [OWN] },
  { user: 'm-own', role: 'manager', scope: [OWN] },
  { user: 'citizen', role: 'citizen', scope: [] },
  { user: 'admin', role: 'admin', scope: [OWN, OTHER, PARENT] },
];

describe('access matrix', () => {
  it('registers commands and button prefixes to try', () => {
    expect(commands.length).toBeGreaterThan(15);
    expect(prefixes.length).toBeGreaterThan(3);
  });

  for (const c of callers) {
    for (const [relation, unit] of [
      ['own unit', OWN],
      ['other unit', OTHER],
      ['parent unit', PARENT],
    ] as const) {
      it(`${c.role} × ${relation}: nothing outside the scope changes or shows`, async () => {
        const before = await outside(c.scope);
        for (const m of messages(unit)) {
          const r = m.text
            ? await app.say(c.user, m.text)
            : await app.press(c.user, m.button ?? '');
          if (!c.scope.includes(OTHER))
            expect(r.text, `${c.role}: ${m.text ?? m.button}`).not.toContain(OTHER_FIGURE);
          // Confirm whatever was offered, as a careless user would: still nothing outside.
          const ok = r.buttons.find((b) => /Xác nhận|Gửi|Đồng ý|Mở lại/.test(b.label));
          if (ok) await app.press(c.user, ok.data);
          await app.say(c.user, 'hủy');
        }
        expect(await outside(c.scope), `${c.role} × ${relation}`).toBe(before);
      }, 300_000);
    }
  }
});
