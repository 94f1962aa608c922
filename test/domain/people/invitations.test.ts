import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { AccessError, NotFoundError, ValidationError } from '../../../src/domain/access.js';
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
  revokeSelfLinkCodes,
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

  it('drop underscores, dots and tabs as separators, read L as 1, and refuse nine symbols', () => {
    expect(normalizeInviteCode('ab_cd.ef\tgh')).toBe('ABCDEFGH');
    expect(normalizeInviteCode('ABCL-lXYZ')).toBe('ABC11XYZ');
    expect(normalizeInviteCode('ABCD-EFGH-J')).toBeNull();
    expect(normalizeInviteCode('ABCD+EFGH')).toBeNull();
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

describe('expiry durations', () => {
  it('read weeks, days, hours and minutes, in any case and with blanks around', () => {
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('3D')).toBe(3 * 86_400_000);
    expect(parseDuration(' 5 h ')).toBe(5 * 3_600_000);
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration(90_000)).toBe(90_000);
  });

  it('refuse anything around the number and unit, and non-positive or infinite numbers', () => {
    for (const bad of ['x7d', '7dx', '7 d d', '7', 'd', '7s', '-1d', '1.5h', '']) {
      expect(() => parseDuration(bad), bad).toThrow(ValidationError);
    }
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => parseDuration(bad), String(bad)).toThrow(ValidationError);
    }
  });
});

describe('creating invitations', () => {
  it('refuses an unknown role and an unknown person to link', async () => {
    await expect(
      createInvitation(t.db.prisma, {
        unitCode: '18073',
        role: 'chief' as 'reporter',
        createdBy: 'cli',
        now,
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      createInvitation(t.db.prisma, {
        unitCode: '18073',
        role: 'reporter',
        createdBy: 'cli',
        forPersonId: 'no-such-person',
        now,
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError', entity: 'person', ref: 'no-such-person' });
  });

  it('keeps the label given, names the person linked instead, and audits what was made', async () => {
    const labelled = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'manager',
      createdBy: 'cli',
      label: 'cán bộ mới',
      expiresIn: 3_600_000,
      now,
    });
    expect(labelled.invitation).toMatchObject({
      label: 'cán bộ mới',
      kind: 'membership',
      role: 'manager',
      unitId: f.thanhSen,
      createdBy: null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
      usedAt: null,
      revokedAt: null,
    });
    const plain = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    expect(plain.invitation.label).toBeNull();
    const person = await addPerson(t.db, { name: 'Nhãn', unitId: f.tranPhu, role: 'reporter' });
    const forPerson = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      label: 'ignored',
      forPersonId: person,
      now,
    });
    expect(forPerson.invitation.label).toBe(`person:${person}`);
    const trail = await t.db.prisma.auditLog.findMany({
      where: { entityId: { in: [labelled.invitation.id, forPerson.invitation.id] } },
      orderBy: { id: 'asc' },
    });
    expect(trail.map((a) => [a.actor, a.action, a.entity, a.at, a.data])).toEqual([
      [
        'cli',
        'invitation.create',
        'invitation',
        now,
        {
          kind: 'membership',
          unitId: f.thanhSen,
          unitCode: '18073',
          role: 'manager',
          expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
          forPersonId: null,
        },
      ],
      [
        'cli',
        'invitation.create',
        'invitation',
        now,
        {
          kind: 'membership',
          unitId: f.thanhSen,
          unitCode: '18073',
          role: 'reporter',
          expiresAt: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
          forPersonId: person,
        },
      ],
    ]);
  });

  it('lets a manager invite a manager inside its subtree, but not an admin', async () => {
    const manager = await addPerson(t.db, { name: 'QL TS', unitId: f.thanhSen, role: 'manager' });
    const made = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'manager',
      createdBy: { personId: manager },
      now,
    });
    expect(made.invitation.role).toBe('manager');
    await expect(
      createInvitation(t.db.prisma, {
        unitCode: '18073',
        role: 'admin',
        createdBy: { personId: manager },
        now,
      }),
    ).rejects.toMatchObject({ name: 'AccessError', key: 'domain.errors.inviteRole' });
    await expect(
      createInvitation(t.db.prisma, {
        unitCode: '42',
        role: 'reporter',
        createdBy: { personId: manager },
        now,
      }),
    ).rejects.toMatchObject({
      name: 'AccessError',
      key: 'domain.errors.notManager',
      vars: { unit: 'Tỉnh Hà Tĩnh' },
    });
  });
});

describe('self-link codes are made', () => {
  it("for the maker's first membership, valid one day by default, and audited", async () => {
    const a = await addPerson(t.db, { name: 'Hai nơi', unitId: f.thanhSen, role: 'manager' });
    await t.db.prisma.membership.create({
      data: {
        personId: a,
        unitId: f.tranPhu,
        role: 'reporter',
        createdAt: vn('2030-01-01T00:00:00'),
      },
    });
    const link = await createLinkCode(t.db.prisma, { personId: a, now });
    expect(link.invitation).toMatchObject({
      kind: 'self_link',
      unitId: f.thanhSen,
      role: 'manager',
      createdBy: a,
      label: `person:${a}`,
      expiresAt: new Date(now.getTime() + 86_400_000),
    });
    const shorter = await createLinkCode(t.db.prisma, { personId: a, now, expiresIn: '2h' });
    expect(shorter.invitation.expiresAt).toEqual(new Date(now.getTime() + 2 * 3_600_000));
    const trail = await t.db.prisma.auditLog.findFirstOrThrow({
      where: { entityId: link.invitation.id },
    });
    expect([trail.actor, trail.action, trail.entity, trail.data]).toEqual([
      `person:${a}`,
      'invitation.create',
      'invitation',
      { kind: 'self_link', personId: a, expiresAt: link.invitation.expiresAt.toISOString() },
    ]);
  });

  it('only by someone holding a membership', async () => {
    const gone = await addPerson(t.db, { name: 'Đã rời', unitId: f.thanhSen, role: 'reporter' });
    await t.db.prisma.membership.updateMany({
      where: { personId: gone },
      data: { removedAt: now },
    });
    await expect(createLinkCode(t.db.prisma, { personId: gone, now })).rejects.toMatchObject({
      name: 'AccessError',
      key: 'domain.errors.notLinked',
    });
  });

  it("and revoked only while unused: not another person's, nor a membership invitation", async () => {
    const a = await addPerson(t.db, { name: 'Thu hồi A', unitId: f.thanhSen, role: 'reporter' });
    const b = await addPerson(t.db, { name: 'Thu hồi B', unitId: f.thanhSen, role: 'reporter' });
    const unused = await createLinkCode(t.db.prisma, { personId: a, now });
    const used = await createLinkCode(t.db.prisma, { personId: a, now });
    await redeemInvitation(t.db.prisma, {
      code: used.code,
      channel: 'zalo-bot',
      externalId: 'revoke-a-zalo',
      now,
    });
    const earlier = vn('2025-11-01T09:00:00');
    const revokedBefore = await createLinkCode(t.db.prisma, { personId: a, now });
    await t.db.prisma.invitation.update({
      where: { id: revokedBefore.invitation.id },
      data: { revokedAt: earlier },
    });
    const others = await createLinkCode(t.db.prisma, { personId: b, now });
    const membership = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      forPersonId: a,
      now,
    });
    const later = new Date(now.getTime() + 60_000);
    expect(await revokeSelfLinkCodes(t.db.prisma, a, later)).toBe(1);
    const rows = await t.db.prisma.invitation.findMany({
      where: {
        id: {
          in: [unused, used, revokedBefore, others, membership].map((x) => x.invitation.id),
        },
      },
    });
    const revokedAt = (x: { invitation: { id: string } }) =>
      rows.find((r) => r.id === x.invitation.id)?.revokedAt ?? null;
    expect(revokedAt(unused)).toEqual(later);
    expect(revokedAt(used)).toBeNull();
    expect(revokedAt(revokedBefore)).toEqual(earlier);
    expect(revokedAt(others)).toBeNull();
    expect(revokedAt(membership)).toBeNull();
  });
});

describe('redeeming invitations', () => {
  const make = (opts: Partial<Parameters<typeof createInvitation>[1]> = {}) =>
    createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now,
      ...opts,
    });

  it('reports what was granted, marks the code used by the person, and audits each step', async () => {
    const { code, invitation } = await make({ role: 'manager' });
    const r = await redeemInvitation(t.db.prisma, {
      code,
      channel: 'telegram',
      externalId: 'audit-1',
      displayName: 'Ngô Thị Audit',
      now,
    });
    expect(r).toMatchObject({
      kind: 'membership',
      role: 'manager',
      personCreated: true,
      identityLinked: true,
      alreadyMember: false,
    });
    expect(r.unit.id).toBe(f.thanhSen);
    expect(r.person.displayName).toBe('Ngô Thị Audit');
    const stored = await t.db.prisma.membership.findFirstOrThrow({
      where: { personId: r.person.id },
    });
    expect(r.membership).toEqual(stored);
    expect(stored).toMatchObject({ unitId: f.thanhSen, role: 'manager', createdAt: now });
    const inv = await t.db.prisma.invitation.findUniqueOrThrow({ where: { id: invitation.id } });
    expect(inv).toMatchObject({ usedAt: now, usedByPersonId: r.person.id });
    const identity = await t.db.prisma.identity.findUniqueOrThrow({
      where: { channel_externalId: { channel: 'telegram', externalId: 'audit-1' } },
    });
    expect(identity).toMatchObject({ personId: r.person.id, createdAt: now });
    const trail = await t.db.prisma.auditLog.findMany({
      where: { entityId: { in: [invitation.id, r.person.id, stored.id] } },
      orderBy: { id: 'asc' },
    });
    const actor = `person:${r.person.id}`;
    expect(trail.map((a) => [a.actor, a.action, a.entity, a.entityId, a.at, a.data])).toEqual([
      [
        'cli',
        'invitation.create',
        'invitation',
        invitation.id,
        now,
        expect.objectContaining({ role: 'manager' }),
      ],
      [
        actor,
        'identity.link',
        'person',
        r.person.id,
        now,
        { channel: 'telegram', invitationId: invitation.id },
      ],
      [
        actor,
        'membership.create',
        'membership',
        stored.id,
        now,
        { personId: r.person.id, unitId: f.thanhSen, unitCode: '18073', role: 'manager' },
      ],
      [
        actor,
        'invitation.redeem',
        'invitation',
        invitation.id,
        now,
        { personId: r.person.id, channel: 'telegram', kind: 'membership' },
      ],
    ]);
  });

  it('grants nothing new for a role the person already holds, and another role besides', async () => {
    const p = await addPerson(t.db, {
      name: 'Đã có',
      unitId: f.thanhSen,
      role: 'reporter',
      channel: 'telegram',
      externalId: 'holder-1',
    });
    const same = await make();
    const r = await redeemInvitation(t.db.prisma, {
      code: same.code,
      channel: 'telegram',
      externalId: 'holder-1',
      displayName: 'Tên khác',
      now,
    });
    expect(r).toMatchObject({ personCreated: false, identityLinked: false, alreadyMember: true });
    expect(r.person.displayName).toBe('Đã có');
    expect(await t.db.prisma.membership.count({ where: { personId: p } })).toBe(1);
    expect(
      await t.db.prisma.auditLog.count({
        where: { action: 'membership.create', actor: `person:${p}` },
      }),
    ).toBe(0);
    const manager = await make({ role: 'manager' });
    const r2 = await redeemInvitation(t.db.prisma, {
      code: manager.code,
      channel: 'telegram',
      externalId: 'holder-1',
      now,
    });
    expect(r2.alreadyMember).toBe(false);
    const roles = await t.db.prisma.membership.findMany({
      where: { personId: p, unitId: f.thanhSen, removedAt: null },
      orderBy: { role: 'asc' },
    });
    expect(roles.map((m) => m.role).sort()).toEqual(['manager', 'reporter']);
  });

  it('names a person without a name after the redeeming identity, and keeps no name when none is given', async () => {
    const nameless = await t.db.prisma.person.create({
      data: { identities: { create: { channel: 'sim', externalId: 'nameless-1' } } },
    });
    const { code } = await make();
    const r = await redeemInvitation(t.db.prisma, {
      code,
      channel: 'sim',
      externalId: 'nameless-1',
      displayName: 'Có tên',
      now,
    });
    expect(r.person.displayName).toBe('Có tên');
    expect(
      (await t.db.prisma.person.findUniqueOrThrow({ where: { id: nameless.id } })).displayName,
    ).toBe('Có tên');
    const other = await make();
    const r2 = await redeemInvitation(t.db.prisma, {
      code: other.code,
      channel: 'sim',
      externalId: 'nameless-2',
      now,
    });
    expect(r2.person.displayName).toBeNull();
  });

  it("links a new identity to the person a code names, and accepts that person's own identity", async () => {
    const a = await addPerson(t.db, {
      name: 'Người được mời',
      unitId: f.tranPhu,
      role: 'reporter',
      channel: 'telegram',
      externalId: 'named-tg',
    });
    const first = await make({ forPersonId: a });
    const r = await redeemInvitation(t.db.prisma, {
      code: first.code,
      channel: 'zalo-oa',
      externalId: 'named-oa',
      now,
    });
    expect(r).toMatchObject({ personCreated: false, identityLinked: true, alreadyMember: false });
    expect(r.person.id).toBe(a);
    const second = await make({ forPersonId: a, role: 'manager' });
    const r2 = await redeemInvitation(t.db.prisma, {
      code: second.code,
      channel: 'telegram',
      externalId: 'named-tg',
      now,
    });
    expect(r2).toMatchObject({ personCreated: false, identityLinked: false, role: 'manager' });
    expect(r2.person.id).toBe(a);
  });

  it("gives the maker's own identity its membership back without using the self-link code", async () => {
    const a = await addPerson(t.db, {
      name: 'Tự liên kết',
      unitId: f.tranPhu,
      role: 'manager',
      channel: 'telegram',
      externalId: 'self-own',
    });
    const link = await createLinkCode(t.db.prisma, { personId: a, now });
    const r = await redeemInvitation(t.db.prisma, {
      code: link.code,
      channel: 'telegram',
      externalId: 'self-own',
      now,
    });
    expect(r).toMatchObject({
      kind: 'self_link',
      personCreated: false,
      identityLinked: false,
      alreadyMember: true,
      role: 'manager',
    });
    expect(r.person.id).toBe(a);
    expect(r.unit.id).toBe(f.tranPhu);
    expect(r.membership.personId).toBe(a);
    const inv = await t.db.prisma.invitation.findUniqueOrThrow({
      where: { id: link.invitation.id },
    });
    expect(inv.usedAt).toBeNull();
    // A new identity then uses it, and gets the maker's membership reported.
    const r2 = await redeemInvitation(t.db.prisma, {
      code: link.code,
      channel: 'zalo-bot',
      externalId: 'self-new',
      now,
    });
    expect(r2).toMatchObject({ kind: 'self_link', role: 'manager', identityLinked: true });
    expect(r2.unit.id).toBe(f.tranPhu);
    expect(r2.membership.personId).toBe(a);
    const trail = await t.db.prisma.auditLog.findFirstOrThrow({
      where: { entityId: link.invitation.id, action: 'invitation.redeem' },
    });
    expect(trail.data).toEqual({ personId: a, channel: 'zalo-bot', kind: 'self_link' });
  });

  it('refuses a code at the very instant it expires, and takes it a millisecond before', async () => {
    const { code, invitation } = await make({ expiresIn: '1h' });
    await expect(
      redeemInvitation(t.db.prisma, {
        code,
        channel: 'sim',
        externalId: 'edge-1',
        now: invitation.expiresAt,
      }),
    ).rejects.toMatchObject({ reason: 'expired' });
    const r = await redeemInvitation(t.db.prisma, {
      code,
      channel: 'sim',
      externalId: 'edge-2',
      now: new Date(invitation.expiresAt.getTime() - 1),
    });
    expect(r.unit.id).toBe(f.thanhSen);
  });

  it('counts down the attempts left and calls a non-code malformed', async () => {
    const at = vn('2025-12-01T10:00:00');
    const reasons: Array<[string, number, string]> = [];
    for (const code of ['hello', 'ZZZZ-ZZZY', 'ABCD', 'ZZZZ-ZZZX']) {
      const err = (await redeemInvitation(t.db.prisma, {
        code,
        channel: 'sim',
        externalId: 'counter',
        now: at,
      }).catch((e: unknown) => e)) as InvitationError;
      reasons.push([err.reason, err.attemptsLeft, err.key]);
    }
    expect(reasons).toEqual([
      ['malformed', 4, 'domain.errors.invitation.malformed'],
      ['unknown', 3, 'domain.errors.invitation.unknown'],
      ['malformed', 2, 'domain.errors.invitation.malformed'],
      ['unknown', 1, 'domain.errors.invitation.unknown'],
    ]);
    expect(await t.db.prisma.inviteAttempt.count({ where: { identityKey: 'sim:counter' } })).toBe(
      4,
    );
    const attempt = await t.db.prisma.inviteAttempt.findFirstOrThrow({
      where: { identityKey: 'sim:counter' },
    });
    expect(attempt).toMatchObject({ channel: 'sim', at });
  });

  it('counts failures inside the 15 minutes up to now only', async () => {
    const at = vn('2025-12-02T10:00:00');
    for (let i = 0; i < 5; i++) {
      await redeemInvitation(t.db.prisma, {
        code: 'ZZZZ-ZZZW',
        channel: 'sim',
        externalId: 'window',
        now: at,
      }).catch(() => undefined);
    }
    // Exactly 15 minutes later the five fall out of the window.
    const edge = new Date(at.getTime() + 15 * 60_000);
    const a = await make({ now: at });
    expect(
      (
        await redeemInvitation(t.db.prisma, {
          code: a.code,
          channel: 'sim',
          externalId: 'window',
          now: edge,
        })
      ).person,
    ).toBeDefined();
    // Failures recorded after `now` (another instance's clock) do not count either.
    const b = await make({ now: at });
    const r = await redeemInvitation(t.db.prisma, {
      code: b.code,
      channel: 'sim',
      externalId: 'window',
      now: new Date(at.getTime() - 60_000),
    });
    expect(r.alreadyMember).toBe(true);
    // One millisecond less than 15 minutes: still blocked, until 15 minutes after the first.
    const c = await make({ now: at });
    const blocked = (await redeemInvitation(t.db.prisma, {
      code: c.code,
      channel: 'sim',
      externalId: 'window',
      now: new Date(edge.getTime() - 1),
    }).catch((e: unknown) => e)) as RateLimitedError;
    expect(blocked).toBeInstanceOf(RateLimitedError);
    expect(blocked.retryAt).toEqual(edge);
    expect(blocked.key).toBe('domain.errors.rateLimited');
    expect(blocked.vars).toEqual({ retryAt: '10:15 02/12/2025' });
  });

  it('lets exactly one of two simultaneous redemptions of one code succeed', async () => {
    const { code } = await make();
    const results = await Promise.all(
      ['race-1', 'race-2'].map((externalId) =>
        redeemInvitation(t.db.prisma, { code, channel: 'sim', externalId, now }).then(
          () => 'ok',
          (e: unknown) => (e as InvitationError).reason,
        ),
      ),
    );
    expect(results.sort()).toEqual(['ok', 'used']);
    expect(
      await t.db.prisma.identity.count({ where: { externalId: { in: ['race-1', 'race-2'] } } }),
    ).toBe(1);
  });

  it('pause a channel at its budget exactly, and name it', async () => {
    const at = new Date(now.getTime() + 60 * 86_400_000);
    const budget = 3;
    for (let i = 0; i < budget - 1; i++) {
      await redeemInvitation(t.db.prisma, {
        code: 'ZZZZ-ZZZV',
        channel: 'zalo-oa',
        externalId: `budget-${i}`,
        now: at,
        channelBudget: budget,
      }).catch(() => undefined);
    }
    // One failure short of the budget: a new identity still redeems.
    const under = await make({ now: at });
    await redeemInvitation(t.db.prisma, {
      code: under.code,
      channel: 'zalo-oa',
      externalId: 'budget-ok',
      now: at,
      channelBudget: budget,
    });
    await redeemInvitation(t.db.prisma, {
      code: 'ZZZZ-ZZZV',
      channel: 'zalo-oa',
      externalId: 'budget-last',
      now: at,
      channelBudget: budget,
    }).catch(() => undefined);
    const over = await make({ now: at });
    const paused = (await redeemInvitation(t.db.prisma, {
      code: over.code,
      channel: 'zalo-oa',
      externalId: 'budget-new',
      now: at,
      channelBudget: budget,
    }).catch((e: unknown) => e)) as ChannelPausedError;
    expect(paused).toBeInstanceOf(ChannelPausedError);
    expect([paused.channel, paused.failures, paused.key]).toEqual([
      'zalo-oa',
      budget,
      'domain.errors.channelPaused',
    ]);
    // An identity linked exactly an hour ago counts as established.
    await addPerson(t.db, {
      name: 'Một giờ',
      unitId: f.thanhSen,
      role: 'reporter',
      channel: 'zalo-oa',
      externalId: 'budget-hour',
    });
    await t.db.prisma.identity.update({
      where: { channel_externalId: { channel: 'zalo-oa', externalId: 'budget-hour' } },
      data: { createdAt: new Date(at.getTime() - CHANNEL_WINDOW_MS) },
    });
    const r = await redeemInvitation(t.db.prisma, {
      code: over.code,
      channel: 'zalo-oa',
      externalId: 'budget-hour',
      now: at,
      channelBudget: budget,
    });
    expect(r.alreadyMember).toBe(true);
  });

  it('refuse a code stored as peppered when only its unpeppered hash matches', async () => {
    const PEPPER = 'q'.repeat(40);
    const code = generateInviteCode();
    await t.db.prisma.invitation.create({
      data: {
        codeHash: hashInviteCode(normalizeInviteCode(code)!),
        hashVersion: 2,
        unitId: f.thanhSen,
        role: 'reporter',
        expiresAt: new Date(now.getTime() + 3_600_000),
      },
    });
    await expect(
      redeemInvitation(t.db.prisma, {
        code,
        channel: 'sim',
        externalId: 'v2-legacy',
        now,
        pepper: PEPPER,
      }),
    ).rejects.toMatchObject({ reason: 'unknown' });
  });
});

describe('listing and revoking invitations', () => {
  it('gives each invitation its status, newest first, and only usable ones when asked', async () => {
    const at = vn('2025-10-01T09:00:00');
    const unitCode = '16681';
    const mk = (minutes: number, expiresIn: string) =>
      createInvitation(t.db.prisma, {
        unitCode,
        role: 'reporter',
        createdBy: 'cli',
        now: new Date(at.getTime() + minutes * 60_000),
        expiresIn,
        label: `m${minutes}`,
      });
    const active = await mk(4, '7d');
    const used = await mk(3, '7d');
    const revoked = await mk(2, '7d');
    const expired = await mk(1, '1h');
    const view = new Date(at.getTime() + 61 * 60_000); // `expired` ran out at exactly this instant
    const r = await redeemInvitation(t.db.prisma, {
      code: used.code,
      channel: 'sim',
      externalId: 'list-user',
      now: view,
    });
    await revokeInvitation(t.db.prisma, { codeOrId: revoked.invitation.id, by: 'cli', now: view });
    const mine = new Set([active, used, revoked, expired].map((x) => x.invitation.id));
    const listed = await listInvitations(t.db.prisma, { now: view, unitCode });
    const all = listed.filter((i) => mine.has(i.id));
    expect(all.map((i) => [i.label, i.status])).toEqual([
      ['m4', 'active'],
      ['m3', 'used'],
      ['m2', 'revoked'],
      ['m1', 'expired'],
    ]);
    expect(all[1]).toEqual({
      id: used.invitation.id,
      unitCode,
      unitName: 'Phường Vinh Phú',
      role: 'reporter',
      status: 'used',
      createdAt: used.invitation.createdAt,
      expiresAt: used.invitation.expiresAt,
      usedAt: view,
      usedByPersonId: r.person.id,
      createdBy: null,
      label: 'm3',
    });
    const usable = await listInvitations(t.db.prisma, { now: view, unitCode, activeOnly: true });
    expect(usable.map((i) => i.id).filter((id) => mine.has(id))).toEqual([active.invitation.id]);
    expect(usable.every((i) => i.status === 'active')).toBe(true);
    const everywhere = await listInvitations(t.db.prisma, { now: view });
    expect(everywhere.map((i) => i.unitCode)).toContain('18073');
    expect(everywhere.filter((i) => i.unitCode === unitCode)).toEqual(listed);
  });

  it('revokes by an id typed with blanks, audited, and refuses unknown, revoked and used ones', async () => {
    const made = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'manager',
      createdBy: 'cli',
      now,
    });
    const admin = await addPerson(t.db, { name: 'QT thu hồi', unitId: f.ngheAn, role: 'admin' });
    const revoked = await revokeInvitation(t.db.prisma, {
      codeOrId: `  ${made.invitation.id} `,
      by: { personId: admin },
      now,
    });
    expect(revoked).toMatchObject({ id: made.invitation.id, revokedAt: now });
    const trail = await t.db.prisma.auditLog.findFirstOrThrow({
      where: { entityId: made.invitation.id, action: 'invitation.revoke' },
    });
    expect([trail.actor, trail.entity, trail.at, trail.data]).toEqual([
      `person:${admin}`,
      'invitation',
      now,
      { unitId: f.tranPhu, role: 'manager' },
    ]);
    await expect(
      revokeInvitation(t.db.prisma, { codeOrId: made.code, by: 'cli', now }),
    ).rejects.toMatchObject({ name: 'ValidationError', key: 'domain.errors.invitation.revoked' });
    const used = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    await redeemInvitation(t.db.prisma, {
      code: used.code,
      channel: 'sim',
      externalId: 'revoke-used',
      now,
    });
    await expect(
      revokeInvitation(t.db.prisma, { codeOrId: used.code, by: 'cli', now }),
    ).rejects.toMatchObject({ name: 'ValidationError', key: 'domain.errors.invitation.used' });
    await expect(
      revokeInvitation(t.db.prisma, { codeOrId: 'ZZZZ-ZZZT', by: 'cli', now }),
    ).rejects.toMatchObject({ name: 'NotFoundError', entity: 'invitation', ref: 'ZZZZ-ZZZT' });
    await expect(
      revokeInvitation(t.db.prisma, { codeOrId: 'no such id', by: 'cli', now }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('revokes a peppered code by the code typed', async () => {
    const PEPPER = 'r'.repeat(40);
    const made = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now,
      pepper: PEPPER,
    });
    const revoked = await revokeInvitation(t.db.prisma, {
      codeOrId: made.code.toLowerCase(),
      by: 'cli',
      now,
      pepper: PEPPER,
    });
    expect(revoked.id).toBe(made.invitation.id);
  });
});

describe("a self-link code stands for its maker's earliest membership", () => {
  it('by the date it began, not the order the rows were written', async () => {
    const a = await addPerson(t.db, {
      name: 'Thứ tự thành viên',
      unitId: f.thanhSen,
      role: 'manager',
      channel: 'telegram',
      externalId: 'earliest-tg',
    });
    // Written second, but held since before the first.
    const earliest = await t.db.prisma.membership.create({
      data: {
        personId: a,
        unitId: f.tranPhu,
        role: 'reporter',
        createdAt: vn('2020-01-01T00:00:00'),
      },
    });
    const link = await createLinkCode(t.db.prisma, { personId: a, now });
    expect(link.invitation).toMatchObject({ unitId: f.tranPhu, role: 'reporter' });
    const own = await redeemInvitation(t.db.prisma, {
      code: link.code,
      channel: 'telegram',
      externalId: 'earliest-tg',
      now,
    });
    expect(own.membership.id).toBe(earliest.id);
    const added = await redeemInvitation(t.db.prisma, {
      code: link.code,
      channel: 'zalo-bot',
      externalId: 'earliest-zalo',
      now,
    });
    expect([added.membership.id, added.unit.id, added.role]).toEqual([
      earliest.id,
      f.tranPhu,
      'reporter',
    ]);
  });
});

describe('what the operator reads when an invitation step fails', () => {
  it('names the bad duration, role, and the rule refused', async () => {
    expect(() => parseDuration('soon')).toThrow("bad duration 'soon' (use e.g. 7d, 12h, 30m)");
    expect(() => parseDuration('0h')).toThrow("bad duration '0h'");
    expect(() => parseDuration(-1)).toThrow('bad duration -1');
    await expect(
      createInvitation(t.db.prisma, {
        unitCode: '18073',
        role: 'chief' as 'reporter',
        createdBy: 'cli',
        now,
      }),
    ).rejects.toThrow("bad role 'chief' (reporter, manager or admin)");
    const manager = await addPerson(t.db, { name: 'QL lỗi', unitId: f.thanhSen, role: 'manager' });
    await expect(
      createInvitation(t.db.prisma, {
        unitCode: '18073',
        role: 'admin',
        createdBy: { personId: manager },
        now,
      }),
    ).rejects.toMatchObject({
      message: 'only an admin may invite an admin',
      vars: { role: 'admin' },
    });
    await expect(
      createInvitation(t.db.prisma, {
        unitCode: '18100',
        role: 'reporter',
        createdBy: { personId: manager },
        now,
      }),
    ).rejects.toThrow('not a manager of unit 18100');
    const gone = await addPerson(t.db, { name: 'Rời đi', unitId: f.thanhSen, role: 'reporter' });
    await t.db.prisma.membership.updateMany({
      where: { personId: gone },
      data: { removedAt: now },
    });
    await expect(createLinkCode(t.db.prisma, { personId: gone, now })).rejects.toThrow(
      'not linked',
    );
    const inv = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    await expect(
      revokeInvitation(t.db.prisma, { codeOrId: inv.code, by: { personId: manager }, now }),
    ).rejects.toMatchObject({
      message: 'not a manager of the invitation unit',
      key: 'domain.errors.notManager',
    });
    await revokeInvitation(t.db.prisma, { codeOrId: inv.code, by: 'cli', now });
    await expect(
      revokeInvitation(t.db.prisma, { codeOrId: inv.code, by: 'cli', now }),
    ).rejects.toThrow('invitation already revoked');
    const used = await createInvitation(t.db.prisma, {
      unitCode: '18100',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    await redeemInvitation(t.db.prisma, {
      code: used.code,
      channel: 'sim',
      externalId: 'msg-used',
      now,
    });
    await expect(
      revokeInvitation(t.db.prisma, { codeOrId: used.code, by: 'cli', now }),
    ).rejects.toThrow('invitation already used');
  });

  it('says why a code was refused, when to retry, and which channel is paused', () => {
    const retryAt = new Date('2025-11-03T02:15:00Z');
    const limited = new RateLimitedError(retryAt);
    expect([limited.name, limited.message, limited.key, limited.vars, limited.retryAt]).toEqual([
      'RateLimitedError',
      'too many failed attempts; retry after 2025-11-03T02:15:00.000Z',
      'domain.errors.rateLimited',
      { retryAt: '09:15 03/11/2025' },
      retryAt,
    ]);
    const refused = new InvitationError('expired', 2);
    expect([refused.name, refused.message, refused.key, refused.vars]).toEqual([
      'InvitationError',
      'invitation code expired',
      'domain.errors.invitation.expired',
      { attemptsLeft: 2 },
    ]);
    const linked = new IdentityLinkedError();
    expect([linked.name, linked.message, linked.key]).toEqual([
      'IdentityLinkedError',
      'identity already linked to another person',
      'domain.errors.identityLinked',
    ]);
    const paused = new ChannelPausedError('zalo-bot', 40);
    expect([paused.name, paused.message, paused.key, paused.channel, paused.failures]).toEqual([
      'ChannelPausedError',
      'invitation redemptions paused on zalo-bot',
      'domain.errors.channelPaused',
      'zalo-bot',
      40,
    ]);
  });
});

describe('redeeming after a change behind the code', () => {
  it('grants a removed membership afresh when invited again', async () => {
    const p = await addPerson(t.db, {
      name: 'Quay lại',
      unitId: f.thanhSen,
      role: 'reporter',
      channel: 'sim',
      externalId: 'back-again',
    });
    const old = await t.db.prisma.membership.findFirstOrThrow({ where: { personId: p } });
    await removeMember(t.db.prisma, { personId: p, by: 'cli', now });
    const { code } = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    const r = await redeemInvitation(t.db.prisma, {
      code,
      channel: 'sim',
      externalId: 'back-again',
      now,
    });
    expect(r.alreadyMember).toBe(false);
    expect(r.membership.id).not.toBe(old.id);
    expect(r.membership.removedAt).toBeNull();
  });

  it('refuses a code naming a person who no longer exists', async () => {
    const ghost = await t.db.prisma.person.create({ data: { displayName: 'Đã xóa' } });
    const { code } = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      forPersonId: ghost.id,
      now,
    });
    await t.db.prisma.person.delete({ where: { id: ghost.id } });
    await expect(
      redeemInvitation(t.db.prisma, { code, channel: 'sim', externalId: 'ghost-id', now }),
    ).rejects.toMatchObject({ name: 'NotFoundError', entity: 'person', ref: ghost.id });
    expect(await resolveIdentity(t.db.prisma, 'sim', 'ghost-id')).toBeNull();
  });

  it("counts a channel's failures within the hour up to now only", async () => {
    const at = new Date(now.getTime() + 90 * 86_400_000);
    const budget = 2;
    const guess = (externalId: string, when: Date) =>
      redeemInvitation(t.db.prisma, {
        code: 'ZZZZ-ZZZS',
        channel: 'web',
        externalId,
        now: when,
      }).catch(() => undefined);
    // Two failures exactly an hour before, two more a minute after `at` (another clock).
    await guess('w-1', new Date(at.getTime() - CHANNEL_WINDOW_MS));
    await guess('w-2', new Date(at.getTime() - CHANNEL_WINDOW_MS));
    await guess('w-3', new Date(at.getTime() + 60_000));
    await guess('w-4', new Date(at.getTime() + 60_000));
    const { code } = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now: at,
    });
    const r = await redeemInvitation(t.db.prisma, {
      code,
      channel: 'web',
      externalId: 'w-new',
      now: at,
      channelBudget: budget,
    });
    expect(r.personCreated).toBe(true);
  });

  it('lists invitations against the present time by default', async () => {
    const all = await listInvitations(t.db.prisma);
    expect(all.length).toBeGreaterThan(0);
    // Every invitation of these tests was made for 2025 and has run out by now.
    expect(all.filter((i) => i.status === 'active')).toEqual([]);
  });
});

describe('the last details of redemption and listing', () => {
  it('calls a code unknown under the pepper and under the old hash alike', async () => {
    await expect(
      redeemInvitation(t.db.prisma, {
        code: 'ZZZZ-ZZZR',
        channel: 'sim',
        externalId: 'pepper-unknown',
        now,
        pepper: 's'.repeat(40),
      }),
    ).rejects.toMatchObject({ name: 'InvitationError', reason: 'unknown' });
  });

  it('names the retry time from the oldest failure by time, not by the order recorded', async () => {
    const at = vn('2025-12-05T10:00:00');
    const minutes = [5, 0, 1, 2, 3];
    for (const m of minutes) {
      await redeemInvitation(t.db.prisma, {
        code: 'ZZZZ-ZZZQ',
        channel: 'sim',
        externalId: 'out-of-order',
        now: new Date(at.getTime() + m * 60_000),
      }).catch(() => undefined);
    }
    const blocked = (await redeemInvitation(t.db.prisma, {
      code: 'ZZZZ-ZZZQ',
      channel: 'sim',
      externalId: 'out-of-order',
      now: new Date(at.getTime() + 6 * 60_000),
    }).catch((e: unknown) => e)) as RateLimitedError;
    expect(blocked.retryAt).toEqual(new Date(at.getTime() + 15 * 60_000));
  });

  it('dates a new person at the redemption', async () => {
    const { code } = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    const r = await redeemInvitation(t.db.prisma, {
      code,
      channel: 'sim',
      externalId: 'dated',
      now,
    });
    expect(r.person.createdAt).toEqual(now);
  });

  it('lists the newer of two invitations first', async () => {
    const at = vn('2025-09-01T09:00:00');
    const older = await createInvitation(t.db.prisma, {
      unitCode: '16681',
      role: 'reporter',
      createdBy: 'cli',
      now: at,
    });
    const newer = await createInvitation(t.db.prisma, {
      unitCode: '16681',
      role: 'reporter',
      createdBy: 'cli',
      now: new Date(at.getTime() + 60_000),
    });
    const ids = (await listInvitations(t.db.prisma, { now: at, unitCode: '16681' })).map(
      (i) => i.id,
    );
    expect(ids.indexOf(newer.invitation.id)).toBeLessThan(ids.indexOf(older.invitation.id));
  });

  it("grants nothing through a self-link code whose maker left the code's unit", async () => {
    const a = await addPerson(t.db, {
      name: 'Rời đơn vị đầu',
      unitId: f.thanhSen,
      role: 'manager',
    });
    const second = await t.db.prisma.membership.create({
      data: {
        personId: a,
        unitId: f.tranPhu,
        role: 'reporter',
        createdAt: vn('2030-01-01T00:00:00'),
      },
    });
    const link = await createLinkCode(t.db.prisma, { personId: a, now });
    expect(link.invitation.unitId).toBe(f.thanhSen);
    await removeMember(t.db.prisma, { personId: a, by: 'cli', unitCode: '18073', now });
    // removeMember revoked the code; a code kept unrevoked (an older instance) still grants nothing.
    await t.db.prisma.invitation.update({
      where: { id: link.invitation.id },
      data: { revokedAt: null },
    });
    const r = await redeemInvitation(t.db.prisma, {
      code: link.code,
      channel: 'zalo-bot',
      externalId: 'left-first-unit',
      now,
    });
    expect([r.membership.id, r.unit.id, r.role]).toEqual([second.id, f.tranPhu, 'reporter']);
    expect(await t.db.prisma.membership.count({ where: { personId: a, removedAt: null } })).toBe(1);
  });
});
