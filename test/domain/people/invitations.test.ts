import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { AccessError, NotFoundError } from '../../../src/domain/access.js';
import {
  CHANNEL_WINDOW_MS,
  ChannelPausedError,
  IdentityLinkedError,
  InvitationError,
  RateLimitedError,
  hashInviteCode,
  removeMember,
  createInvitation,
  createLinkCode,
  generateInviteCode,
  listInvitations,
  normalizeInviteCode,
  parseDuration,
  redeemInvitation,
  resolveIdentity,
  revokeInvitation,
} from '../../../src/domain/people/index.js';
import { addPerson, seedFixture, vn, type Fixture } from './fixture.js';

let t: TestDb;
let f: Fixture;
const now = vn('2025-11-03T09:00:00');

beforeAll(async () => {
  t = await createTestDb();
  f = await seedFixture(t.db);
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('invitation codes', () => {
  it('are 8 symbols of an unambiguous alphabet grouped ABCD-EFGH, all different', () => {
    const codes = new Set(Array.from({ length: 500 }, () => generateInviteCode()));
    expect(codes.size).toBe(500);
    for (const c of codes) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('forgive case, spaces, dashes and O/0, I/L/1 confusions when typed', () => {
    expect(normalizeInviteCode(' abc0-1xyz ')).toBe('ABC01XYZ');
    expect(normalizeInviteCode('ABCO-IXYZ')).toBe('ABC01XYZ');
    expect(normalizeInviteCode('ABCD')).toBeNull();
    expect(normalizeInviteCode('ABCD-EFGU')).toBeNull();
  });

  it('parse expiry durations and reject nonsense', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(() => parseDuration('soon')).toThrow();
    expect(() => parseDuration('0d')).toThrow();
  });
});

describe('createInvitation and redeemInvitation', () => {
  it('links a new identity to a new person with the invited unit and role, stored hashed', async () => {
    const { code, invitation } = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    expect(invitation.codeHash).not.toContain(code.replace('-', ''));
    expect(invitation.unitId).toBe(f.tranPhu); // the unit in force today, not Thạch Hạ
    expect(invitation.expiresAt.getTime() - now.getTime()).toBe(7 * 86_400_000);

    const r = await redeemInvitation(t.db.prisma, {
      code: code.toLowerCase(),
      channel: 'telegram',
      externalId: 'tg-1',
      displayName: 'Nguyễn Văn A',
      now,
    });
    expect(r.personCreated).toBe(true);
    expect(r.unit.code).toBe('18100');
    expect(r.role).toBe('reporter');
    const who = await resolveIdentity(t.db.prisma, 'telegram', 'tg-1');
    expect(who?.person.displayName).toBe('Nguyễn Văn A');
    expect(who?.memberships.map((m) => [m.unit.code, m.role])).toEqual([['18100', 'reporter']]);
    const audits = await t.db.prisma.auditLog.findMany({ where: { entityId: invitation.id } });
    expect(audits.map((a) => a.action).sort()).toEqual(['invitation.create', 'invitation.redeem']);
  });

  it('is single-use: a second redemption fails as used', async () => {
    const { code } = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    await redeemInvitation(t.db.prisma, { code, channel: 'sim', externalId: 'once-1', now });
    await expect(
      redeemInvitation(t.db.prisma, { code, channel: 'sim', externalId: 'once-2', now }),
    ).rejects.toMatchObject({ name: 'InvitationError', reason: 'used' });
  });

  it('refuses expired and revoked codes', async () => {
    const { code } = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now,
      expiresIn: '1h',
    });
    await expect(
      redeemInvitation(t.db.prisma, {
        code,
        channel: 'sim',
        externalId: 'late',
        now: new Date(now.getTime() + 2 * 3_600_000),
      }),
    ).rejects.toMatchObject({ reason: 'expired' });

    const second = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    await revokeInvitation(t.db.prisma, { codeOrId: second.code, by: 'cli', now });
    await expect(
      redeemInvitation(t.db.prisma, {
        code: second.code,
        channel: 'sim',
        externalId: 'revoked',
        now,
      }),
    ).rejects.toMatchObject({ reason: 'revoked' });
    const list = await listInvitations(t.db.prisma, { now, unitCode: '18073' });
    expect(list.find((i) => i.id === second.invitation.id)?.status).toBe('revoked');
  });

  it('rate-limits an identity after 5 failed attempts and names the retry time', async () => {
    const at = vn('2025-11-04T10:00:00');
    for (let i = 0; i < 5; i++) {
      const err = await redeemInvitation(t.db.prisma, {
        code: 'ZZZZ-ZZZZ',
        channel: 'sim',
        externalId: 'guesser',
        now: new Date(at.getTime() + i * 60_000),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvitationError);
    }
    const { code } = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now: at,
    });
    const blocked = await redeemInvitation(t.db.prisma, {
      code,
      channel: 'sim',
      externalId: 'guesser',
      now: new Date(at.getTime() + 6 * 60_000),
    }).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(RateLimitedError);
    expect((blocked as RateLimitedError).retryAt.toISOString()).toBe(
      new Date(at.getTime() + 15 * 60_000).toISOString(),
    );
    // Another identity is not affected, and the guesser may try again after the window.
    const ok = await redeemInvitation(t.db.prisma, {
      code,
      channel: 'sim',
      externalId: 'guesser',
      now: new Date(at.getTime() + 16 * 60_000),
    });
    expect(ok.unit.code).toBe('18073');
  });

  it('attaches a new membership to the person already behind an identity', async () => {
    const first = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    const a = await redeemInvitation(t.db.prisma, {
      code: first.code,
      channel: 'zalo-bot',
      externalId: 'z-9',
      now,
    });
    const second = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    const b = await redeemInvitation(t.db.prisma, {
      code: second.code,
      channel: 'zalo-bot',
      externalId: 'z-9',
      now,
    });
    expect(b.person.id).toBe(a.person.id);
    expect(b.personCreated).toBe(false);
    const who = await resolveIdentity(t.db.prisma, 'zalo-bot', 'z-9');
    expect(who?.memberships.map((m) => m.unit.code).sort()).toEqual(['18073', '18100']);
  });

  it('lets the same person link another platform with a link code', async () => {
    const first = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    const a = await redeemInvitation(t.db.prisma, {
      code: first.code,
      channel: 'telegram',
      externalId: 'tg-multi',
      now,
    });
    const link = await createLinkCode(t.db.prisma, { personId: a.person.id, now });
    expect(link.invitation.createdBy).toBe(a.person.id);
    // …but a reporter cannot make codes for somebody else.
    const other = await addPerson(t.db, { name: 'Khác', unitId: f.tranPhu, role: 'reporter' });
    await expect(
      createInvitation(t.db.prisma, {
        unitCode: '18100',
        role: 'reporter',
        createdBy: { personId: a.person.id },
        forPersonId: other,
        now,
      }),
    ).rejects.toBeInstanceOf(AccessError);
    const b = await redeemInvitation(t.db.prisma, {
      code: link.code,
      channel: 'zalo-oa',
      externalId: 'oa-multi',
      now,
    });
    expect(b.person.id).toBe(a.person.id);
    expect(b.alreadyMember).toBe(true);
    const who = await resolveIdentity(t.db.prisma, 'zalo-oa', 'oa-multi');
    expect(who?.person.id).toBe(a.person.id);
  });
});

describe('who may invite', () => {
  it('lets a manager invite reporters and managers inside its subtree only', async () => {
    const manager = await addPerson(t.db, {
      name: 'Quản lý HT',
      unitId: f.province,
      role: 'manager',
    });
    const ok = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: { personId: manager },
      now,
    });
    expect(ok.invitation.createdBy).toBe(manager);
    await expect(
      createInvitation(t.db.prisma, {
        unitCode: '18073',
        role: 'admin',
        createdBy: { personId: manager },
        now,
      }),
    ).rejects.toBeInstanceOf(AccessError);
    await expect(
      createInvitation(t.db.prisma, {
        unitCode: '16681',
        role: 'reporter',
        createdBy: { personId: manager },
        now,
      }),
    ).rejects.toBeInstanceOf(AccessError);
  });

  it('refuses reporters and lets admins invite any role anywhere', async () => {
    const reporter = await addPerson(t.db, {
      name: 'Báo cáo viên',
      unitId: f.thanhSen,
      role: 'reporter',
    });
    await expect(
      createInvitation(t.db.prisma, {
        unitCode: '18073',
        role: 'reporter',
        createdBy: { personId: reporter },
        now,
      }),
    ).rejects.toBeInstanceOf(AccessError);
    const admin = await addPerson(t.db, { name: 'Quản trị', unitId: f.province, role: 'admin' });
    const r = await createInvitation(t.db.prisma, {
      unitCode: '16681',
      role: 'admin',
      createdBy: { personId: admin },
      now,
    });
    expect(r.unit.code).toBe('16681');
  });

  it("lets only a manager of the invitation's unit revoke it (by code or by id)", async () => {
    const inProvince42 = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    // A manager of the other province, and a reporter of the invitation's own unit.
    const otherManager = await addPerson(t.db, {
      name: 'Quản lý tỉnh khác',
      unitId: f.ngheAn,
      role: 'manager',
    });
    const reporter = await addPerson(t.db, {
      name: 'Báo cáo viên Thành Sen',
      unitId: f.thanhSen,
      role: 'reporter',
    });
    for (const by of [{ personId: otherManager }, { personId: reporter }]) {
      for (const codeOrId of [inProvince42.code, inProvince42.invitation.id]) {
        await expect(revokeInvitation(t.db.prisma, { codeOrId, by, now })).rejects.toBeInstanceOf(
          AccessError,
        );
      }
    }
    const untouched = await listInvitations(t.db.prisma, { now, unitCode: '18073' });
    expect(untouched.find((i) => i.id === inProvince42.invitation.id)?.status).toBe('active');

    const manager = await addPerson(t.db, {
      name: 'Quản lý tỉnh 42',
      unitId: f.province,
      role: 'manager',
    });
    const revoked = await revokeInvitation(t.db.prisma, {
      codeOrId: inProvince42.code,
      by: { personId: manager },
      now,
    });
    expect(revoked.revokedAt).toEqual(now);
  });

  it('rejects an unknown unit code', async () => {
    await expect(
      createInvitation(t.db.prisma, { unitCode: '99999', role: 'reporter', createdBy: 'cli', now }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('self-link codes (/link for another platform)', () => {
  const reporterOf = async (unitId: string, externalId: string) =>
    addPerson(t.db, {
      name: externalId,
      unitId,
      role: 'reporter',
      channel: 'telegram',
      externalId,
    });
  const membershipsOf = async (personId: string) =>
    (
      await t.db.prisma.membership.findMany({
        where: { personId, removedAt: null },
        include: { unit: true },
      })
    ).map((m) => `${m.unit.code}:${m.role}`);

  it("are stored as self-link codes and grant no membership to another unit's reporter", async () => {
    const a = await reporterOf(f.tranPhu, 'sl-a');
    const b = await reporterOf(f.thanhSen, 'sl-b');
    const link = await createLinkCode(t.db.prisma, { personId: a, now });
    expect(link.invitation.kind).toBe('self_link');
    // Reporter B (linked to another person) redeems A's code: refused, nothing changes.
    await expect(
      redeemInvitation(t.db.prisma, {
        code: link.code,
        channel: 'telegram',
        externalId: 'sl-b',
        now,
      }),
    ).rejects.toBeInstanceOf(IdentityLinkedError);
    expect(await membershipsOf(b)).toEqual(['18073:reporter']);
    expect(await membershipsOf(a)).toEqual(['18100:reporter']);
    const inv = await t.db.prisma.invitation.findUniqueOrThrow({
      where: { id: link.invitation.id },
    });
    expect(inv.usedAt).toBeNull();
  });

  it('attach only a new identity to their maker, changing no membership', async () => {
    const a = await reporterOf(f.tranPhu, 'sl-c');
    const link = await createLinkCode(t.db.prisma, { personId: a, now });
    const r = await redeemInvitation(t.db.prisma, {
      code: link.code,
      channel: 'zalo-bot',
      externalId: 'sl-c-zalo',
      now,
    });
    expect(r.kind).toBe('self_link');
    expect(r.person.id).toBe(a);
    expect(r.identityLinked).toBe(true);
    expect(await membershipsOf(a)).toEqual(['18100:reporter']);
    expect(await t.db.prisma.membership.count({ where: { personId: a } })).toBe(1);
  });

  it('are revoked by member remove: a code made before removal restores nothing', async () => {
    const a = await reporterOf(f.tranPhu, 'sl-d');
    const before = await createLinkCode(t.db.prisma, { personId: a, now });
    await removeMember(t.db.prisma, { personId: a, by: 'cli', now });
    const inv = await t.db.prisma.invitation.findUniqueOrThrow({
      where: { id: before.invitation.id },
    });
    expect(inv.revokedAt).not.toBeNull();
    const err = await redeemInvitation(t.db.prisma, {
      code: before.code,
      channel: 'zalo-bot',
      externalId: 'sl-d-zalo',
      now,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvitationError);
    expect((err as InvitationError).reason).toBe('revoked');
    expect(await membershipsOf(a)).toEqual([]);
    expect(await resolveIdentity(t.db.prisma, 'zalo-bot', 'sl-d-zalo')).toBeNull();
  });

  it('stop working when the maker no longer holds a membership, even if not revoked', async () => {
    const a = await reporterOf(f.tranPhu, 'sl-e');
    const link = await createLinkCode(t.db.prisma, { personId: a, now });
    // Removed behind the domain's back (e.g. by an older instance): still refused.
    await t.db.prisma.membership.updateMany({ where: { personId: a }, data: { removedAt: now } });
    await expect(
      redeemInvitation(t.db.prisma, {
        code: link.code,
        channel: 'zalo-bot',
        externalId: 'sl-e-zalo',
        now,
      }),
    ).rejects.toMatchObject({ reason: 'revoked' });
    expect(await membershipsOf(a)).toEqual([]);
  });

  it('refuse a membership invitation for a person when the identity belongs to another', async () => {
    const a = await reporterOf(f.tranPhu, 'sl-f');
    const b = await reporterOf(f.thanhSen, 'sl-g');
    const forA = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'manager',
      createdBy: 'cli',
      forPersonId: a,
      now,
    });
    expect(forA.invitation.kind).toBe('membership');
    await expect(
      redeemInvitation(t.db.prisma, {
        code: forA.code,
        channel: 'telegram',
        externalId: 'sl-g',
        now,
      }),
    ).rejects.toBeInstanceOf(IdentityLinkedError);
    expect(await membershipsOf(b)).toEqual(['18073:reporter']);
  });
});

describe('invitation code hashes and guessing', () => {
  const PEPPER = 'p'.repeat(40);

  it('store codes made with a pepper under the peppered hash (version 2)', async () => {
    const made = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now,
      pepper: PEPPER,
    });
    const n = normalizeInviteCode(made.code)!;
    expect(made.invitation.hashVersion).toBe(2);
    expect(made.invitation.codeHash).toBe(hashInviteCode(n, PEPPER));
    expect(made.invitation.codeHash).not.toBe(hashInviteCode(n));
    // Without the pepper the code is unknown.
    await expect(
      redeemInvitation(t.db.prisma, { code: made.code, channel: 'sim', externalId: 'h-1', now }),
    ).rejects.toMatchObject({ reason: 'unknown' });
    const r = await redeemInvitation(t.db.prisma, {
      code: made.code,
      channel: 'sim',
      externalId: 'h-2',
      now,
      pepper: PEPPER,
    });
    expect(r.unit.code).toBe('18100');
  });

  it('keep codes issued before the pepper valid until they expire', async () => {
    const legacy = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now,
      expiresIn: '1h',
    });
    expect(legacy.invitation.hashVersion).toBe(1);
    const r = await redeemInvitation(t.db.prisma, {
      code: legacy.code,
      channel: 'sim',
      externalId: 'h-3',
      now,
      pepper: PEPPER,
    });
    expect(r.unit.code).toBe('18100');
    const expired = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now,
      expiresIn: '1h',
    });
    await expect(
      redeemInvitation(t.db.prisma, {
        code: expired.code,
        channel: 'sim',
        externalId: 'h-4',
        now: new Date(now.getTime() + 2 * 3600_000),
        pepper: PEPPER,
      }),
    ).rejects.toMatchObject({ reason: 'expired' });
  });

  it('pause new identities of a channel above its failure budget, not established ones', async () => {
    const at = new Date(now.getTime() + 30 * 86_400_000); // clear of the other tests' attempts
    const budget = 20;
    // Fresh identities, one guess each: the per-identity limit never bites.
    for (let i = 0; i < budget; i++) {
      await expect(
        redeemInvitation(t.db.prisma, {
          code: 'ZZZZ-ZZZ0',
          channel: 'zalo-bot',
          externalId: `guess-${i}`,
          now: at,
          channelBudget: budget,
        }),
      ).rejects.toBeInstanceOf(InvitationError);
    }
    const good = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now: at,
    });
    await expect(
      redeemInvitation(t.db.prisma, {
        code: good.code,
        channel: 'zalo-bot',
        externalId: 'guess-new',
        now: at,
        channelBudget: budget,
      }),
    ).rejects.toBeInstanceOf(ChannelPausedError);
    // Another channel is not paused.
    const other = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now: at,
    });
    await redeemInvitation(t.db.prisma, {
      code: other.code,
      channel: 'telegram',
      externalId: 'guess-tg',
      now: at,
      channelBudget: budget,
    });
    // An identity linked for more than an hour still redeems (e.g. gets a second role).
    const old = await addPerson(t.db, {
      name: 'Cũ',
      unitId: f.tranPhu,
      role: 'reporter',
      channel: 'zalo-bot',
      externalId: 'guess-old',
    });
    await t.db.prisma.identity.update({
      where: { channel_externalId: { channel: 'zalo-bot', externalId: 'guess-old' } },
      data: { createdAt: new Date(at.getTime() - 2 * CHANNEL_WINDOW_MS) },
    });
    const r = await redeemInvitation(t.db.prisma, {
      code: good.code,
      channel: 'zalo-bot',
      externalId: 'guess-old',
      now: at,
      channelBudget: budget,
    });
    expect(r.person.id).toBe(old);
    // An hour later the budget is free again.
    const later = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now: at,
    });
    const r2 = await redeemInvitation(t.db.prisma, {
      code: later.code,
      channel: 'zalo-bot',
      externalId: 'guess-new',
      now: new Date(at.getTime() + CHANNEL_WINDOW_MS + 1000),
      channelBudget: budget,
    });
    expect(r2.personCreated).toBe(true);
  });
});
