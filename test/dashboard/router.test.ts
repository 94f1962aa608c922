/**
 * The managers' dashboard over HTTP (issue 17, items 1 and 2): sign-in by a one-time link from
 * chat, sessions, CSRF, the nonce-based CSP, the completeness matrix, and scope — nothing is
 * reachable without a session, and a commune manager sees only their commune.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReportApp, vn, type ReportTestApp } from '../handlers/reporting/helpers.js';

const ADMIN_TOKEN = 'dashboard-test-admin-token-0123456789';
let app: ReportTestApp;
const NOW = vn('2026-12-02T09:00:00');

beforeAll(async () => {
  app = await startReportApp(NOW, { ADMIN_TOKEN });
  await app.linkReporter('rep', '18100');
  await app.linkReporter('boss', '42', 'manager');
  await app.linkReporter('commune', '18073', 'manager');
  await app.press('rep', (await app.say('rep', 'bc HSCV 65/100 HSTT 0/0')).button('Xác nhận'));
}, 120_000);
afterAll(() => app?.close());

/** Ask for a sign-in link in chat and return it. */
async function linkFor(user: string): Promise<string> {
  const r = await app.say(user, '/dashboard');
  const url = /http:\/\/\S+\/dashboard\/login\?t=[\w-]+/.exec(r.text)?.[0];
  if (!url) throw new Error(`no link in: ${r.text}`);
  return url;
}

/** Follow a sign-in link; the session cookie. */
async function signIn(user: string): Promise<string> {
  const res = await fetch(await linkFor(user), { redirect: 'manual' });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(
    /^cds_dash=[\w%-]+; Path=\/dashboard; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
  );
  return cookie.split(';')[0]!;
}

const get = (path: string, cookie?: string) =>
  fetch(`${app.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });

const post = (path: string, body: Record<string, string>, cookie?: string) =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(body).toString(),
    redirect: 'manual',
  });

describe('without a session', () => {
  it('every dashboard route answers 401 with the way in, and nothing of the data', async () => {
    const routes: [string, () => Promise<Response>][] = [
      ['GET /dashboard', () => get('/dashboard')],
      ['GET /dashboard/?period=T11/2026', () => get('/dashboard/?period=T11/2026')],
      ['GET /dashboard/unit/18100', () => get('/dashboard/unit/18100')],
      ['GET /dashboard/export.csv', () => get('/dashboard/export.csv?period=T11/2026&unit=42')],
      ['GET /dashboard/export.xlsx', () => get('/dashboard/export.xlsx?period=T11/2026&unit=42')],
      [
        'GET /dashboard/export.xlsx wide',
        () => get('/dashboard/export.xlsx?period=T11/2026&unit=42&layout=wide'),
      ],
      ['GET /dashboard/province', () => get('/dashboard/province?unit=42')],
      [
        'POST /dashboard/unit/18100/reopen',
        () => post('/dashboard/unit/18100/reopen', { csrf: 'x', period: 'T10/2026' }),
      ],
      [
        'POST /dashboard/unit/18100/remind',
        () => post('/dashboard/unit/18100/remind', { csrf: 'x', period: 'T11/2026' }),
      ],
      ['GET /dashboard/broadcast', () => get('/dashboard/broadcast')],
      [
        'POST /dashboard/broadcast',
        () => post('/dashboard/broadcast', { csrf: 'x', unit: '42', text: 'x', confirm: '1' }),
      ],
      ['GET /dashboard/broadcast/some-id', () => get('/dashboard/broadcast/some-id')],
      ['GET /dashboard/reminders', () => get('/dashboard/reminders?period=T11/2026&unit=42')],
      ['POST /dashboard/logout', () => post('/dashboard/logout', { csrf: 'x' })],
      ['GET /dashboard/nope', () => get('/dashboard/nope')],
      [
        'GET /dashboard with a forged cookie',
        () => get('/dashboard', 'cds_dash=abcdefghijklmnopqrstuvwxyz0123'),
      ],
    ];
    for (const [name, call] of routes) {
      const res = await call();
      const text = await res.text();
      expect(res.status, name).toBe(401);
      expect(text, name).toContain('/dashboard');
      expect(text, name).not.toContain('Phường Trần Phú');
      expect(text, name).not.toContain('65/100');
    }
  });

  it('a bad or reused link does not sign in', async () => {
    expect((await get('/dashboard/login?t=not-a-real-token-at-all-123')).status).toBe(401);
    const url = await linkFor('boss');
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
    const again = await fetch(url, { redirect: 'manual' });
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('a link older than 10 minutes does not sign in', async () => {
    const url = await linkFor('boss');
    app.setNow(new Date(NOW.getTime() + 11 * 60_000));
    try {
      expect((await fetch(url, { redirect: 'manual' })).status).toBe(401);
    } finally {
      app.setNow(NOW);
    }
  });
});

describe('the /dashboard command', () => {
  it('is refused to reporters and citizens, and shown in the managers’ help', async () => {
    expect((await app.say('rep', '/dashboard')).text).toContain('dành cho lãnh đạo');
    expect((await app.say('stranger', '/dashboard')).text).toContain('dành cho lãnh đạo');
    expect((await app.say('boss', '/help')).text).toContain('/dashboard');
    expect((await app.say('rep', '/help')).text).not.toContain('/dashboard');
  });
});

describe('the completeness matrix', () => {
  it('shows units × indicators due with states, values, counts and a legend, under a nonce CSP', async () => {
    const cookie = await signIn('boss');
    const res = await get('/dashboard', cookie);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    const body = await res.text();
    expect(body).toContain(`<style nonce="${nonce}">`);
    expect(body).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
    expect(body).toContain('Tình hình báo cáo Tỉnh Hà Tĩnh — kỳ T11/2026');
    expect(body).toContain('Phường Trần Phú');
    expect(body).toContain('65/100 (65%)');
    expect(body).toContain('không phát sinh');
    expect(body).toContain('chưa nộp, chưa đến hạn');
    // 69 communes, each owing the 4 monthly indicators; Trần Phú has 2 of them in.
    expect(body).toMatch(/<td>2\/4<\/td>/);
    // Vietnamese collation: "Phường Bắc Hồng Lĩnh" before "Phường Thành Sen".
    expect(body.indexOf('Phường Bắc Hồng Lĩnh')).toBeLessThan(body.indexOf('Phường Thành Sen'));
  });

  it('filters by indicator, orders problems first and refuses a bad period politely', async () => {
    const cookie = await signIn('boss');
    const one = await (
      await get('/dashboard?period=T11/2026&indicator=HSCV&order=problems', cookie)
    ).text();
    expect(one).toContain(
      '<abbr title="Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng">HSCV</abbr>',
    );
    expect(one).not.toContain('>HSTT</abbr>');
    // Problems first: Trần Phú, the only unit with HSCV in, comes last.
    const rows = [...one.matchAll(/\/dashboard\/unit\/(\d+)/g)].map((m) => m[1]);
    expect(rows.at(-1)).toBe('18100');
    const bad = await get('/dashboard?period=T13/2026', cookie);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Kỳ không hợp lệ');
  });

  it('exports the matrix’s period as CSV through the CLI’s code path', async () => {
    const cookie = await signIn('boss');
    const res = await get('/dashboard/export.csv?period=T11/2026&unit=42', cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('bao-cao-42-T11-2026.csv');
    const csv = await res.text();
    expect(csv.split('\n')[0]).toBe(
      'unit_code,unit_name,indicator_code,period,numerator,denominator,value,unit,target,target_met,first_submitted_at,last_submitted_at,on_time',
    );
    expect(csv).toContain('18100,Phường Trần Phú,HSCV,T11/2026,65,100,65,percent');
  });
});

describe('scope', () => {
  it('a commune manager sees their commune only, whatever the URL says', async () => {
    const cookie = await signIn('commune');
    const own = await (await get('/dashboard', cookie)).text();
    expect(own).toContain('Phường Thành Sen');
    expect(own).not.toContain('Phường Trần Phú');
    for (const path of [
      '/dashboard/unit/18100',
      '/dashboard?unit=18100',
      '/dashboard?unit=42',
      '/dashboard/export.csv?period=T11/2026&unit=42',
      '/dashboard/export.xlsx?period=T11/2026&unit=42&layout=wide',
      '/dashboard/province?unit=42',
      '/dashboard/broadcast?unit=42',
      '/dashboard/reminders?period=T11/2026&unit=42',
    ]) {
      const res = await get(path, cookie);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain('65/100');
    }
    expect((await get('/dashboard/unit/18073', cookie)).status).toBe(200);
  });

  it('the province manager opens a unit page with its figures and their history', async () => {
    const cookie = await signIn('boss');
    const res = await get('/dashboard/unit/18100', cookie);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('Phường Trần Phú (18100)');
    expect(body).toContain('65/100 (65%)');
    expect(body).toContain('sim');
  });
});

describe('language', () => {
  it('a person who chose English in chat gets the English pages, and may switch on the page', async () => {
    await app.linkReporter('english', '18100', 'manager');
    await app.say('english', '/lang en');
    const cookie = await signIn('english');
    const matrix = await (await get('/dashboard?period=T11/2026', cookie)).text();
    expect(matrix).toContain('<html lang="en">');
    expect(matrix).toContain('Reporting status of Phường Trần Phú — period T11/2026');
    expect(matrix).toContain('reported on time');
    expect(matrix).toContain('none arose');
    expect(matrix).toContain('65/100 (65%)');
    expect(matrix).not.toContain('nộp đúng hạn');
    // Indicator names from the catalogue's English column.
    expect(matrix).toContain(
      '<abbr title="Share of work dossiers processed on the network">HSCV</abbr>',
    );
    const unit = await (await get('/dashboard/unit/18100', cookie)).text();
    expect(unit).toContain('<html lang="en">');
    expect(unit).toContain('Figures over time against targets');
    expect(unit).toContain('Audit trail');
    expect(unit).toContain('Figures reported');
    // The switch: the same page in Vietnamese, kept in a cookie for the next pages.
    expect(matrix).toMatch(/href="\/dashboard\?period=T11%2F2026&amp;lang=vi"\s+hreflang="vi"/);
    const switched = await get('/dashboard?period=T11/2026&lang=vi', cookie);
    const kept = (switched.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(kept).toBe('cds_lang=vi');
    const vi = await switched.text();
    expect(vi).toContain('<html lang="vi">');
    expect(vi).toContain('nộp đúng hạn');
    const next = await (await get('/dashboard/province', `${cookie}; ${kept}`)).text();
    expect(next).toContain('<html lang="vi">');
    expect(next).toContain('Tổng hợp Phường Trần Phú theo kỳ');
  });

  it('Vietnamese is the default, and the pages before sign-in follow ?lang=', async () => {
    const boss = await (await get('/dashboard', await signIn('boss'))).text();
    expect(boss).toContain('<html lang="vi">');
    const out = await (await get('/dashboard?lang=en')).text();
    expect(out).toContain('<html lang="en">');
    expect(out).toContain('Please sign in');
    expect(out).toContain('<b>/dashboard</b>');
  });
});

describe('sessions', () => {
  it('sign-out needs the CSRF token and ends the session', async () => {
    const cookie = await signIn('boss');
    const page = await (await get('/dashboard', cookie)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeTruthy();
    expect((await post('/dashboard/logout', { csrf: 'wrong' }, cookie)).status).toBe(403);
    expect((await get('/dashboard', cookie)).status).toBe(200);
    const out = await post('/dashboard/logout', { csrf: csrf! }, cookie);
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/dashboard/signed-out');
    expect((await get('/dashboard', cookie)).status).toBe(401);
  });

  it('expire after 8 hours, and end when the membership is removed', async () => {
    const cookie = await signIn('boss');
    app.setNow(new Date(NOW.getTime() + 8 * 3600_000 + 1000));
    try {
      expect((await get('/dashboard', cookie)).status).toBe(401);
    } finally {
      app.setNow(NOW);
    }
    const other = await signIn('commune');
    expect((await get('/dashboard', other)).status).toBe(200);
    const prisma = app.testDb.db.prisma;
    const unit = await prisma.unit.findFirstOrThrow({
      where: { code: '18073', effectiveTo: null },
    });
    await prisma.membership.updateMany({
      where: { unitId: unit.id, role: 'manager' },
      data: { removedAt: new Date() },
    });
    expect((await get('/dashboard', other)).status).toBe(401);
  });

  it('operators sign in with ADMIN_TOKEN from loopback; a wrong token does not', async () => {
    expect((await post('/dashboard/signin', { token: 'wrong-token-wrong-token' })).status).toBe(
      401,
    );
    const res = await post('/dashboard/signin', { token: ADMIN_TOKEN });
    expect(res.status).toBe(303);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const body = await (await get('/dashboard', cookie)).text();
    expect(body).toContain('Tình hình báo cáo Tỉnh Hà Tĩnh');
  });
});
