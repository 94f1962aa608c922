import { statSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hashInviteCode,
  normalizeInviteCode,
  removeMember,
} from '../../../src/domain/people/index.js';
import { secretFilePath } from '../../../src/server/secrets.js';
import { startReportApp, vn, type ReportTestApp } from './helpers.js';

let app: ReportTestApp;
const NOW = vn('2025-11-03T09:00:00');
beforeAll(async () => {
  app = await startReportApp(NOW);
}, 120_000);
afterAll(() => app?.close());

const identities = (externalId: string) =>
  app.testDb.db.prisma.identity.findMany({
    where: { externalId },
    include: { person: { include: { memberships: true } } },
  });

describe('linking a chat to a unit with an invitation code', () => {
  it('links with /link, names the unit and the role and says what to do next', async () => {
    const code = await app.invite('18100');
    const r = await app.say('link-a', `/link ${code}`);
    expect(r.text).toContain('Đã liên kết tài khoản với Phường Trần Phú, vai trò cán bộ báo cáo.');
    expect(r.text).toContain('/baocao');
    const [id] = await identities('link-a');
    expect(id?.person.memberships).toEqual([expect.objectContaining({ role: 'reporter' })]);
  });

  it('links with a Telegram deep link /start <code> and still greets on a bare /start', async () => {
    const code = await app.invite('18073', 'manager');
    const r = await app.say('link-b', `/start ${code.replace('-', '')}`);
    expect(r.text).toContain('Phường Thành Sen, vai trò lãnh đạo quản lý');
    const hello = await app.say('link-b', '/start');
    expect(hello.text).toContain('trợ lý chuyển đổi số');
  });

  it('links with the phrase "liên kết <code>", with or without diacritics', async () => {
    const r1 = await app.say('link-c', `liên kết ${await app.invite('18115')}`);
    expect(r1.text).toContain('Phường Bắc Hồng Lĩnh');
    const r2 = await app.say('link-d', `lien ket ${(await app.invite('18118')).toLowerCase()}`);
    expect(r2.text).toContain('Phường Nam Hồng Lĩnh');
  });

  it('explains unknown, malformed, used and expired codes, and how many attempts are left', async () => {
    const unknown = await app.say('link-e', '/link ABCD-EFGH');
    expect(unknown.text).toContain('Không tìm thấy mã mời này');
    expect(unknown.text).toContain('Còn 4 lần thử');
    expect((await app.say('link-e', '/link 12')).text).toContain('không đúng dạng');
    const used = await app.invite('18100');
    await app.say('link-f', `/link ${used}`);
    expect((await app.say('link-e', `/link ${used}`)).text).toContain('đã được dùng');
    const expiring = await app.invite('18100', 'reporter', '1h');
    app.setNow(new Date(NOW.getTime() + 2 * 3600_000));
    try {
      expect((await app.say('link-g', `/link ${expiring}`)).text).toContain('đã hết hạn');
    } finally {
      app.setNow(NOW);
    }
    expect(await identities('link-e')).toEqual([]);
  });

  it('rate-limits an identity after five failed attempts, even with a good code', async () => {
    for (let i = 0; i < 5; i++) await app.say('link-h', '/link ZZZZ-ZZZZ');
    const good = await app.invite('18100');
    const r = await app.say('link-h', `/link ${good}`);
    expect(r.text).toContain('nhập sai quá nhiều lần');
    expect(r.text).toMatch(/thử lại sau \d{2}:\d{2} 03\/11\/2025/);
    expect(await identities('link-h')).toEqual([]);
  });

  it('gives a linked person a code that links another platform to the same person', async () => {
    await app.linkReporter('link-tg', '18100');
    const r = await app.say('link-tg', '/link');
    const code = /\/link ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(r.text)?.[1];
    expect(code).toBeDefined();
    const other = await app.say('link-zalo', `/link ${code}`);
    expect(other.text).toContain('Phường Trần Phú');
    const [a] = await identities('link-tg');
    const [b] = await identities('link-zalo');
    expect(b?.personId).toBe(a?.personId);
  });

  it('tells someone without a code how to get one', async () => {
    const r = await app.say('link-i', '/link');
    expect(r.text).toContain('/link ABCD-EFGH');
    expect(r.text).toContain('quản trị hệ thống');
  });
});

describe('self-link codes and group chats', () => {
  const linkCodeOf = async (user: string) => {
    const r = await app.say(user, '/link');
    const code = /\/link ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(r.text)?.[1];
    if (!code) throw new Error(`no code in ${r.text}`);
    return code;
  };
  const rolesOf = async (externalId: string) =>
    (await identities(externalId)).flatMap((i) =>
      i.person.memberships.filter((m) => !m.removedAt).map((m) => `${m.unitId}:${m.role}`),
    );

  it("refuses another unit's reporter who redeems a self-link code: no membership is granted", async () => {
    await app.linkReporter('sl-owner', '18100');
    await app.linkReporter('sl-other', '18073');
    const before = await rolesOf('sl-other');
    const code = await linkCodeOf('sl-owner');
    const r = await app.say('sl-other', `/link ${code}`);
    expect(r.text).toContain('đã liên kết với một người khác');
    expect(await rolesOf('sl-other')).toEqual(before);
  });

  it('refuses a self-link code made before the member was removed', async () => {
    await app.linkReporter('sl-removed', '18100');
    const code = await linkCodeOf('sl-removed');
    const [id] = await identities('sl-removed');
    await removeMember(app.testDb.db.prisma, { personId: id!.personId, by: 'cli', now: NOW });
    const r = await app.say('sl-removed-zalo', `/link ${code}`);
    expect(r.text).toContain('đã bị thu hồi');
    expect(await identities('sl-removed-zalo')).toEqual([]);
    expect(await rolesOf('sl-removed')).toEqual([]);
  });

  it('says a self-link attached this account and granted nothing new', async () => {
    await app.linkReporter('sl-two', '18100');
    const code = await linkCodeOf('sl-two');
    const r = await app.say('sl-two-zalo', `/link ${code}`);
    expect(r.text).toContain('Đã liên kết tài khoản này với tài khoản của');
    const [a] = await identities('sl-two');
    const [b] = await identities('sl-two-zalo');
    expect(b?.personId).toBe(a?.personId);
  });

  it('refuses /link with a code, and making a code, in a group chat', async () => {
    const code = await app.invite('18100');
    const group = (text: string, n: number) =>
      app.app.pipeline.process({
        channel: 'sim',
        chatId: 'group-1',
        userId: 'sl-group',
        chatType: 'group',
        text,
        updateId: `group-${n}`,
        receivedAt: new Date(),
      });
    const r = await group(`/link ${code}`, 1);
    expect(r.replies.map((x) => x.text).join('\n')).toContain('nhắn riêng cho bot');
    expect(await identities('sl-group')).toEqual([]);
    await app.linkReporter('sl-group', '18100');
    const made = await group('/link', 2);
    expect(made.replies.map((x) => x.text).join('\n')).not.toMatch(/[0-9A-Z]{4}-[0-9A-Z]{4}/);
    // The invitation is still usable privately.
    expect((await app.say('sl-group-2', `/link ${code}`)).text).toContain('Đã liên kết');
  });

  it('hashes codes with the pepper generated once into a 0600 file in DATA_DIR', async () => {
    const file = secretFilePath(app.testDb.dataDir, 'invite-code-pepper');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const pepper = readFileSync(file, 'utf8').trim();
    expect(pepper.length).toBeGreaterThanOrEqual(32);
    await app.linkReporter('pep-a', '18100');
    const code = await linkCodeOf('pep-a');
    const stored = await app.testDb.db.prisma.invitation.findUnique({
      where: { codeHash: hashInviteCode(normalizeInviteCode(code)!, pepper) },
    });
    expect(stored?.hashVersion).toBe(2);
  });
});

describe('what the link handler leaves alone', () => {
  it('does not take a citizen question that starts with "liên kết" as a code attempt', async () => {
    const r = await app.say('link-j', 'liên kết tài khoản VNeID thế nào');
    expect(r.text).not.toContain('mã mời');
    expect(
      await app.testDb.db.prisma.inviteAttempt.count({ where: { identityKey: 'sim:link-j' } }),
    ).toBe(0);
  });
});
