/**
 * Who proactive messages go to (issue 14, item 5, with the managers' reminders and broadcasts):
 * each person's most recently used reachable identity; a person reachable nowhere is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { membersUnder } from '../../../src/domain/reports/owing.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb(undefined, { seeded: false });
}, 120_000);
afterAll(() => t?.cleanup());

describe('recipients of reminders and broadcasts', () => {
  it('use the most recently used reachable identity, and skip a person reachable nowhere', async () => {
    const p = t.db.prisma;
    const unit = await p.unit.create({
      data: {
        code: '99001',
        name: 'Xã Thử',
        nameFolded: 'xa thu',
        type: 'Xã',
        level: 'commune',
        effectiveFrom: new Date('2025-07-01'),
      },
    });
    const at = (d: string) => new Date(`${d}T00:00:00Z`);
    const person = async (name: string, ids: Record<string, unknown>[]) => {
      const row = await p.person.create({ data: { displayName: name } });
      await p.membership.create({ data: { personId: row.id, unitId: unit.id, role: 'reporter' } });
      for (const [i, id] of ids.entries())
        await p.identity.create({
          data: { personId: row.id, externalId: `${name}-${i}`, ...id } as never,
        });
      return row.id;
    };
    // Linked on Zalo last, but came to us on Telegram most recently.
    await person('an', [
      { channel: 'telegram', createdAt: at('2026-01-01'), lastSeenAt: at('2026-11-30') },
      { channel: 'zalo-bot', createdAt: at('2026-06-01'), lastSeenAt: at('2026-07-01') },
    ]);
    // Blocked the bot on Telegram (the newest identity): Zalo is used.
    await person('binh', [
      { channel: 'zalo-bot', createdAt: at('2026-01-01') },
      {
        channel: 'telegram',
        createdAt: at('2026-06-01'),
        lastSeenAt: at('2026-11-01'),
        unreachableAt: at('2026-11-20'),
      },
    ]);
    // Unreachable everywhere.
    await person('chi', [
      { channel: 'zalo-oa', createdAt: at('2026-01-01'), unreachableAt: at('2026-11-02') },
    ]);
    const members = await membersUnder(p, [unit.id], ['reporter']);
    const first = Object.fromEntries(
      members.map((m) => [m.displayName, m.identities[0]?.channel ?? 'none']),
    );
    expect(first).toEqual({ an: 'telegram', binh: 'zalo-bot', chi: 'none' });
  });
});
