import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('what the link handler leaves alone', () => {
  it('does not take a citizen question that starts with "liên kết" as a code attempt', async () => {
    const r = await app.say('link-j', 'liên kết tài khoản VNeID thế nào');
    expect(r.text).not.toContain('mã mời');
    expect(
      await app.testDb.db.prisma.inviteAttempt.count({ where: { identityKey: 'sim:link-j' } }),
    ).toBe(0);
  });
});
