/**
 * The dashboard in a real browser (issue 17, item 7): Debian's Chromium driven by
 * playwright-core, on a 360×640 phone. Sign-in link from chat → matrix → filter → unit page →
 * reopen → export download (XLSX read back) → province, broadcast and reminder pages → sign
 * out; no CSP violation, no console error; axe-core (injected through the DevTools protocol,
 * which the page's CSP does not govern) finds no serious or critical violation on any page;
 * the unit names stay in view while the indicator columns scroll, and the page itself never
 * scrolls sideways. A screenshot of each page is kept in test-artifacts/dashboard/.
 */
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManagersApp, vn, type ManagersTestApp } from '../handlers/managers/helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test-artifacts/dashboard');
const PHONE = { width: 360, height: 640 };

let app: ManagersTestApp;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const problems: string[] = [];

async function open(): Promise<void> {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'cds-dash-chromium-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const [a, b] = await Promise.allSettled([
    startManagersApp(vn('2026-12-06T09:00:00')),
    chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      timeout: 60_000,
    }),
  ]);
  if (a.status === 'fulfilled') app = a.value;
  if (b.status === 'fulfilled') context = b.value;
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected')
    throw new Error(`Chromium (${CHROMIUM}) did not start; run scripts/ensure-chromium.sh`, {
      cause: b.reason,
    });
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`),
    );
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await app.link('rep', '18100');
  await app.link('boss', '42', 'manager');
  app.setNow(vn('2026-12-03T09:00:00'));
  await app.press('rep', (await app.say('rep', 'bc HSCV 65/100 HSTT 40/100')).button('Xác nhận'));
  app.setNow(vn('2026-12-06T09:00:00'));
}

async function clean(): Promise<void> {
  expect(
    await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []),
  ).toEqual([]);
  expect(problems).toEqual([]);
  // The page never scrolls sideways: only the matrix does.
  const wide = await page.evaluate(
    () => document.scrollingElement!.scrollWidth - window.innerWidth,
  );
  expect(wide).toBeLessThanOrEqual(0);
  // Accessibility: no serious or critical axe-core violation.
  const injected = await page.evaluate(() => 'axe' in window);
  if (!injected) await page.evaluate(await readFile(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(): Promise<{
            violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    const r = await axe.run();
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations).toEqual([]);
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
}

describe('dashboard in Chromium on a 360×640 phone', () => {
  let ready: Promise<void>;
  beforeAll(() => {
    ready = open();
    ready.catch(() => {});
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await app?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  });

  it('signs in from the chat link, shows the matrix, filters, opens a unit and signs out', async () => {
    await ready;
    const reply = await app.say('boss', '/dashboard');
    const link = /http:\/\/\S+\/dashboard\/login\?t=[\w-]+/.exec(reply.text)?.[0];
    expect(link).toBeTruthy();

    await page.goto(link!, { waitUntil: 'load' });
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await expect(page.locator('h1').innerText()).resolves.toContain('Tỉnh Hà Tĩnh — kỳ T11/2026');
    await page.screenshot({ path: path.join(ARTIFACTS, 'matrix.png'), fullPage: false });
    await clean();
    // Deadline 05/12 has passed: units without figures show ✗, Trần Phú its two ✓.
    const tranPhu = page.locator('tr', { has: page.locator('a', { hasText: 'Phường Trần Phú' }) });
    await expect(tranPhu.locator('td.ok').count()).resolves.toBe(2);
    await expect(tranPhu.locator('td.missing').count()).resolves.toBe(2);
    // Scroll the indicator columns: the unit names stay where they were.
    const name = page.locator('tbody th.unit').first();
    const before = await name.boundingBox();
    await page.locator('.scroll').evaluate((el) => el.scrollBy(400, 0));
    const after = await name.boundingBox();
    expect(after?.x).toBeCloseTo(before?.x ?? -1, 0);
    // Touch targets of the filters are at least 44 px tall.
    for (const el of await page.locator('form.filters select, form.filters button').all()) {
      expect((await el.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
    }

    await page.selectOption('select[name=indicator]', 'HSCV');
    await page.selectOption('select[name=order]', 'problems');
    await page.click('form.filters button');
    await page.waitForURL(/indicator=HSCV/);
    await expect(page.locator('thead abbr').allInnerTexts()).resolves.toEqual(['HSCV']);
    await clean();

    await page.click('a:has-text("Phường Trần Phú")');
    await page.waitForURL(/\/dashboard\/unit\/18100/);
    await expect(page.locator('h1').innerText()).resolves.toBe('Phường Trần Phú (18100)');
    await expect(page.locator('main').innerText()).resolves.toContain('65/100 (65%)');
    await page.screenshot({ path: path.join(ARTIFACTS, 'unit.png'), fullPage: false });
    await clean();

    // Reopen a locked period from the unit page: the same action as /mokhoa.
    await page.selectOption('form[action$="/reopen"] select[name=period]', 'T10/2026');
    await page.click('form[action$="/reopen"] button');
    await page.waitForURL(/\/dashboard\/unit\/18100\/reopen/);
    await expect(page.locator('[role=status]').innerText()).resolves.toContain(
      'Đã mở lại T10/2026 của Phường Trần Phú',
    );
    await shot('reopen');
    await clean();
    await app.arrived('rep', 'Kỳ T10/2026 của Phường Trần Phú đã được mở lại');

    // Export download from the matrix: the XLSX opens in exceljs.
    await page.goto(`${app.url}/dashboard`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('a:has-text("Excel, mỗi đơn vị một dòng")'),
    ]);
    expect(download.suggestedFilename()).toBe('bao-cao-42-T11-2026-ngang.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile((await download.path())!)) as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.getCell('A1').value).toBe('Báo cáo chuyển đổi số — kỳ T11/2026');

    for (const [name, url, title] of [
      ['province', '/dashboard/province?unit=42', 'Tổng hợp Tỉnh Hà Tĩnh theo kỳ'],
      ['broadcast', '/dashboard/broadcast?unit=42', 'Gửi thông báo'],
      ['reminders', '/dashboard/reminders?unit=42&period=T12/2026', 'Lịch nhắc kỳ T12/2026'],
    ] as const) {
      await page.goto(`${app.url}${url}`);
      await expect(page.locator('h1').innerText()).resolves.toContain(title);
      await shot(name);
      await clean();
    }

    // The language switch in the header: the same page in English, then the others stay so.
    await page.click('header a[hreflang=en]');
    await page.waitForURL(/lang=en/);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await expect(page.locator('h1').innerText()).resolves.toContain(
      'Reminder plan for period T12/2026',
    );
    await clean();
    await page.goto(`${app.url}/dashboard/unit/18100`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await expect(page.locator('main').innerText()).resolves.toContain('Audit trail');
    await shot('unit-en');
    await clean();
    await page.click('header a[hreflang=vi]');
    await page.waitForURL(/lang=vi/);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('vi');

    await page.click('header button:has-text("Đăng xuất")');
    await page.waitForURL(/signed-out/);
    await shot('signed-out');
    await clean();
    const back = await page.goto(`${app.url}/dashboard`);
    expect(back?.status()).toBe(401);
  }, 300_000);
});
