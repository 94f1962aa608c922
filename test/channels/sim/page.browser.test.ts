/**
 * The simulator page in a real browser: Debian's Chromium driven by playwright-core (test tools
 * that download their own browser cannot work on these machines; scripts/ensure-chromium.sh
 * installs it). The whole app runs in-process; the page is used as a person on a phone would:
 * type, press "Gửi", click reply buttons, and see proactive messages arrive through polling.
 *
 * Chromium failing to start fails the suite (no skip): a simulator nobody can open is broken.
 */
import { FEATURES } from '../../../handlers/index.js';
import { createInvitation } from '../../../src/domain/people/index.js';
import { loadLocaleTree } from '../../../src/core/i18n.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The page polls GET /sim/api/messages this often (src/channels/sim/page.ts). */
const POLL_MS = 3000;
/** Slack on top of one polling interval for a loaded two-core machine. */
const SLACK_MS = 2500;
const PHONE = { width: 390, height: 844 };
const SCREENSHOT = '/tmp/sim-page.png';

type Common = Record<string, string>;
const locale = (l: 'vi' | 'en'): Common =>
  (
    loadLocaleTree(
      l,
      FEATURES.map((f) => f.name),
    ) as unknown as { common: Common }
  ).common;
const vi = locale('vi');
const en = locale('en');

/** A locale string the test relies on; fails loudly when a key is renamed. */
function text(dict: Common, key: string): string {
  const value = dict[key];
  if (!value) throw new Error(`locale key common.${key} missing`);
  return value;
}

/** Everything the page reported that a person would call an error. */
interface Problems {
  console: string[];
  pageErrors: string[];
  failedRequests: string[];
  badResponses: string[];
}

let t: TestApp;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const problems: Problems = { console: [], pageErrors: [], failedRequests: [], badResponses: [] };

/** CSP violations seen by the page itself (recorded by an init script, immune to the CSP). */
async function cspViolations(): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

async function expectCleanPage(): Promise<void> {
  expect(await cspViolations()).toEqual([]);
  expect(problems).toEqual({ console: [], pageErrors: [], failedRequests: [], badResponses: [] });
}

/** Waits for exactly one bot bubble containing `needle` and returns its text. */
async function botBubble(needle: string, timeout = 15_000): Promise<string> {
  const bubble = page.locator('.msg.bot', { hasText: needle });
  await bubble.first().waitFor({ state: 'visible', timeout });
  expect(await bubble.count()).toBe(1);
  return bubble.first().innerText();
}

/**
 * Starts the app and Chromium and opens the page. Run from beforeAll but awaited by every test,
 * so a browser that cannot start shows as failed tests with the launch error, never as skips.
 */
async function openPage(): Promise<void> {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'cds-sim-chromium-'));
  // Start the app and the browser side by side: both take a few seconds on a busy machine.
  // allSettled, so whichever did start is still closed by afterAll when the other fails.
  const [app, browser] = await Promise.allSettled([
    startTestApp({}, {}, { seeded: true }),
    chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      timeout: 60_000,
    }),
  ]);
  if (app.status === 'fulfilled') t = app.value;
  if (browser.status === 'fulfilled') context = browser.value;
  if (app.status === 'rejected') throw app.reason;
  if (browser.status === 'rejected') {
    throw new Error(`Chromium (${CHROMIUM}) did not start; run scripts/ensure-chromium.sh`, {
      cause: browser.reason,
    });
  }
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) => {
      seen.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') {
      problems.console.push(`${m.text()} (${m.location().url || 'page'})`);
    }
  });
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  page.on('requestfailed', (r) =>
    problems.failedRequests.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`),
  );
  page.on('response', (r) => {
    if (r.status() >= 400) problems.badResponses.push(`${r.status()} ${r.url()}`);
  });
  const res = await page.goto(`${t.url}/sim`, { waitUntil: 'load' });
  if (res?.status() !== 200) throw new Error(`GET /sim answered ${res?.status()}`);
}

describe('web chat simulator page in Chromium', () => {
  let ready: Promise<void>;

  beforeAll(async () => {
    ready = openPage();
    // Keep the rejection for the tests to report; beforeAll itself must not fail (-> skips).
    await ready.catch(() => undefined);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await t?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  });

  it('greets in Vietnamese on /start and switches to English through the reply buttons', async () => {
    await ready;
    await page.locator('.msg.notice', { hasText: '/start' }).waitFor();

    await page.getByLabel('message').fill('/start');
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await expect(page.getByLabel('message').inputValue()).resolves.toBe('');
    await page.locator('.msg.me', { hasText: '/start' }).waitFor();
    const greeting = await botBubble(text(vi, 'welcomeAnon'));
    expect(greeting).toContain(text(vi, 'welcomeRole').split('\n')[0]!);

    await page.getByLabel('message').fill('/lang');
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await botBubble(text(vi, 'langUsage'));
    const english = page.getByRole('button', { name: text(vi, 'langButtonEn'), exact: true });
    await expect(english.count()).resolves.toBe(1);
    await expect(
      page.getByRole('button', { name: text(vi, 'langButtonVi'), exact: true }).count(),
    ).resolves.toBe(1);

    await english.click();
    await page.locator('.msg.me', { hasText: text(vi, 'langButtonEn') }).waitFor();
    expect(await botBubble(text(en, 'langSet'))).toBe(text(en, 'langSet'));

    await expectCleanPage();
  });

  it('shows a proactive message sent through the sim channel within one polling interval', async () => {
    await ready;
    const user = await page.locator('#user').inputValue();
    expect(user).toMatch(/^sim-[a-z0-9]+$/);
    const sim = t.app.channels.find((c) => c.name === 'sim');
    expect(sim).toBeDefined();
    const reminder = 'Nhắc hạn: còn 2 ngày để báo cáo chỉ tiêu CĐS tháng 11/2026.';

    const sentAt = Date.now();
    await sim!.send({ channel: 'sim', chatId: user, text: reminder });
    expect(await botBubble(reminder, POLL_MS + SLACK_MS)).toBe(reminder);
    expect(Date.now() - sentAt).toBeLessThan(POLL_MS + SLACK_MS);

    // The page read it with its own reader id: an API client (another reader) still gets it,
    // once.
    const res = await fetch(`${t.url}/sim/api/messages?user=${encodeURIComponent(user)}`);
    expect(await res.json()).toEqual({ messages: [{ text: reminder }] });
    const again = await fetch(`${t.url}/sim/api/messages?user=${encodeURIComponent(user)}`);
    expect(await again.json()).toEqual({ messages: [] });

    // Phone-sized: nothing sticks out sideways, the composer is on screen.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    const send = await page.getByRole('button', { name: 'Gửi', exact: true }).boundingBox();
    expect(send).not.toBeNull();
    expect(send!.y + send!.height).toBeLessThanOrEqual(PHONE.height);
    expect(send!.x + send!.width).toBeLessThanOrEqual(PHONE.width);

    await page.screenshot({ path: SCREENSHOT });
    await expectCleanPage();
  });

  it('keeps the buttons of the last reply on a 360×640 screen, each at least 44 px tall', async () => {
    await ready;
    await page.setViewportSize({ width: 360, height: 640 });
    // Another person (the earlier test switched its user to English).
    const previousUser = await page.locator('#user').inputValue();
    await page.locator('#user').fill('sim-phone360');
    await page.locator('#user').dispatchEvent('change');
    try {
      const { code } = await createInvitation(t.app.db.prisma, {
        unitCode: '18073',
        role: 'reporter',
        createdBy: 'cli',
        now: new Date(),
      });
      await page.getByLabel('message').fill(`/link ${code}`);
      await page.getByRole('button', { name: 'Gửi', exact: true }).click();
      await botBubble('Phường Thành Sen');
      await page.getByLabel('message').fill('bc HSTT 98/120 HSCV 66%');
      await page.getByRole('button', { name: 'Gửi', exact: true }).click();
      const confirm = page.getByRole('button', { name: 'Xác nhận', exact: true }).last();
      await confirm.waitFor({ state: 'visible' });
      // Give the page its scroll; then every button of the last reply is on screen.
      await page.waitForTimeout(200);
      const last = page.locator('.msg.bot').last().locator('.buttons button');
      const count = await last.count();
      expect(count).toBe(3);
      for (let i = 0; i < count; i++) {
        const box = await last.nth(i).boundingBox();
        expect(box).not.toBeNull();
        expect(box!.height).toBeGreaterThanOrEqual(44);
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.y + box!.height).toBeLessThanOrEqual(640);
      }
      const input = await page.getByLabel('message').boundingBox();
      expect(input!.height).toBeGreaterThanOrEqual(44);
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-360.png') });
      await expectCleanPage();
    } finally {
      await page.setViewportSize(PHONE);
      await page.locator('#user').fill(previousUser);
      await page.locator('#user').dispatchEvent('change');
    }
  });

  it('shows links in replies as links one can tap', async () => {
    await ready;
    const user = await page.locator('#user').inputValue();
    const sim = t.app.channels.find((c) => c.name === 'sim')!;
    await sim.send({
      channel: 'sim',
      chatId: user,
      text: 'Nộp trực tuyến: https://dichvucong.gov.vn/p/home/dvc-trang-chu.html.',
    });
    const link = page.locator(
      '.msg.bot a[href="https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"]',
    );
    await link.waitFor({ state: 'visible', timeout: POLL_MS + SLACK_MS });
    expect((await link.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await expectCleanPage();
  });
});
