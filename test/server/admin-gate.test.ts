/**
 * The admin gate of the HTTP server (src/server/http.ts): loopback only, the bearer token and
 * the wrong-token back-off, in front of the command route and the streamed backup and restore
 * — on the server createApp builds.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackOff, isLoopbackAddress } from '../../src/server/http.js';
import { memoryLogger } from '../channels/fakes/http.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const TOKEN = 'admin-gate-test-token-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('isLoopbackAddress', () => {
  it('takes 127.0.0.0/8, ::1 and their IPv4-mapped forms, and nothing else', () => {
    for (const a of ['127.0.0.1', '127.255.3.9', '::1', '::ffff:127.0.0.1', '::ffff:127.1.2.3'])
      expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of [
      '',
      '10.0.0.1',
      '203.0.113.7',
      '::ffff:10.0.0.1',
      '::2',
      'x::1',
      '128.0.0.1',
      '1127.0.0.1',
      '127.0.0.1.5',
      '127.0.0',
      '127.a.0.1',
      '127.0.0.1x',
      'ffff:127.0.0.1',
    ])
      expect(isLoopbackAddress(a), a).toBe(false);
  });
});

describe('wrong-token back-off', () => {
  it('makes an address wait 1 s, 2 s, 4 s … after consecutive wrong tokens, at most 10 min', () => {
    let now = 1_000_000;
    const b = createBackOff(() => now);
    expect(b.waitMs('a')).toBe(0);
    b.failed('a');
    expect(b.waitMs('a')).toBe(1000);
    b.failed('a');
    expect(b.waitMs('a')).toBe(2000);
    b.failed('a');
    expect(b.waitMs('a')).toBe(4000);
    now += 1500;
    expect(b.waitMs('a')).toBe(2500);
    now += 2500;
    expect(b.waitMs('a')).toBe(0);
    now += 60_000;
    expect(b.waitMs('a')).toBe(0);
    for (let i = 0; i < 20; i++) b.failed('a');
    expect(b.waitMs('a')).toBe(10 * 60_000);
    // Another address is not affected, and a right token clears the count.
    expect(b.waitMs('b')).toBe(0);
    b.succeeded('a');
    expect(b.waitMs('a')).toBe(0);
    b.failed('a');
    expect(b.waitMs('a')).toBe(1000);
  });

  it('keeps at most maxEntries addresses: expired ones go first, then the oldest', () => {
    let now = 0;
    const b = createBackOff(() => now, 3);
    b.failed('old');
    now = 5 * 60_000;
    b.failed('x');
    b.failed('y');
    // 'old' waited until 1 s, long past plus 10 min? Not yet: it stays, and the oldest goes.
    b.failed('z');
    expect(b.waitMs('old')).toBe(0);
    b.failed('old');
    // 'old' was dropped, so this is its first failure again: 1 s, not 2 s.
    expect(b.waitMs('old')).toBe(1000);
    expect(b.waitMs('x')).toBe(0);
    expect(b.waitMs('y')).toBe(1000);
    expect(b.waitMs('z')).toBe(1000);
  });

  it('drops every entry expired for more than 10 min when full, keeping the others', () => {
    let now = 0;
    const b = createBackOff(() => now, 3);
    b.failed('a');
    b.failed('a');
    now = 1000;
    b.failed('b');
    now = 30 * 60_000;
    b.failed('c');
    b.failed('c');
    // Full: 'a' and 'b' expired over 10 min ago and go; 'c' keeps its count.
    b.failed('d');
    b.failed('c');
    expect(b.waitMs('c')).toBe(4000);
    b.failed('a');
    expect(b.waitMs('a')).toBe(1000);
    b.failed('e');
    // Full again with nothing expired: the oldest entry goes ('c'), then 'd'.
    b.failed('c');
    expect(b.waitMs('c')).toBe(1000);
    expect(b.waitMs('d')).toBe(0);
    expect(b.waitMs('a')).toBe(1000);
    expect(b.waitMs('e')).toBe(1000);
  });

  it('keeps an entry expired exactly 10 min ago (strictly more is needed)', () => {
    let now = 0;
    const b = createBackOff(() => now, 2);
    b.failed('a');
    b.failed('b');
    b.failed('b');
    // 'a' waited until 1000: at 1000 + 10 min it is not yet dropped as expired, so the oldest goes.
    now = 1000 + 10 * 60_000;
    b.failed('c');
    b.failed('b');
    expect(b.waitMs('b')).toBe(4000);
  });
});

describe('the admin gate of the server createApp builds', () => {
  let t: TestApp;
  const log = memoryLogger();
  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN: TOKEN }, { logger: log.logger });
  }, 120_000);
  afterAll(() => t?.close());

  // Each test uses its own forwarded address: the back-off is per source address.
  const run = (from: string, headers: Record<string, string>, body: string) =>
    fetch(`${t.url}/admin/api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...headers },
      body,
    });
  const auth = { authorization: `Bearer ${TOKEN}` };

  it('runs a command with the right token and answers its exit code and output', async () => {
    const res = await run('127.0.0.20', auth, '{"argv":["help"]}');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { exitCode: number; stdout: string; stderr: string };
    expect(body.exitCode).toBe(0);
    expect(body.stdout).toMatch(/import/);
    expect(body.stderr).toBe('');
  });

  it('passes the sent files to the command, and audits the caller address', async () => {
    const rules = 'giấy chào đời => đăng ký khai sinh\n';
    const withFile = await run(
      '127.0.0.21',
      auth,
      JSON.stringify({
        argv: ['import', 'synonyms', 'rules.txt'],
        files: { 'rules.txt': Buffer.from(rules).toString('base64') },
      }),
    );
    expect(await withFile.json()).toMatchObject({ exitCode: 0 });
    const last = await t.app.db.prisma.auditLog.findFirst({
      where: { action: 'admin.command' },
      orderBy: { id: 'desc' },
    });
    expect(last).toMatchObject({ actor: 'admin-api 127.0.0.21', entityId: 'import' });
    expect(await t.app.db.prisma.searchSynonym.findMany()).toEqual([
      { line: 1, rule: 'giấy chào đời => đăng ký khai sinh' },
    ]);
    // Files that are not an object are no files: the command does not find it.
    const noFiles = await run(
      '127.0.0.21',
      auth,
      JSON.stringify({ argv: ['import', 'synonyms', 'rules.txt'], files: 'rules.txt' }),
    );
    expect(await noFiles.json()).toMatchObject({ exitCode: 2 });
    // Not even a string taken apart: its characters are no files named 0, 1, ….
    const chars = await run(
      '127.0.0.21',
      auth,
      JSON.stringify({ argv: ['import', 'synonyms', '0'], files: 'a' }),
    );
    expect(await chars.json()).toMatchObject({ exitCode: 2 });
  });

  it('answers 400 unless argv is an array of strings', async () => {
    for (const body of ['{"argv":"help"}', '{"argv":["help",1]}', '{"argv":[1]}', '{}', '[]']) {
      const res = await run('127.0.0.22', auth, body);
      expect(res.status, body).toBe(400);
      expect(await res.json()).toEqual({ error: 'argv must be an array of strings' });
    }
    // A body that is not JSON is not parsed at all: no argv either.
    const text = await run('127.0.0.22', { ...auth, 'content-type': 'text/plain' }, 'help');
    expect(text.status).toBe(400);
    expect(await text.json()).toEqual({ error: 'argv must be an array of strings' });
  });

  it('refuses another host with 403 and closes the connection, whatever the token', async () => {
    for (const from of ['203.0.113.7', '10.0.0.1']) {
      const res = await run(from, auth, '{"argv":["help"]}');
      expect(res.status).toBe(403);
      expect(res.headers.get('connection')).toBe('close');
      expect(await res.json()).toEqual({
        error: 'admin endpoint answers loopback only (ADMIN_ALLOW_REMOTE)',
      });
    }
    // A loopback address in its IPv4-mapped IPv6 form is loopback.
    expect((await run('::ffff:127.0.0.23', auth, '{"argv":["help"]}')).status).toBe(200);
  });

  it('answers 401 to a missing, wrong or non-Bearer token, logs it, and closes the connection', async () => {
    const tries: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `bearer ${TOKEN}` },
      { authorization: `X Bearer ${TOKEN}` },
      { authorization: 'Bearer ' },
      { authorization: `Bearer ${TOKEN}x` },
    ];
    for (const [i, headers] of tries.entries()) {
      const from = `127.0.1.${i + 1}`;
      const res = await run(from, headers, '{"argv":["help"]}');
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('connection')).toBe('close');
      expect(await res.json()).toEqual({ error: 'unauthorized' });
      expect(
        log.records.filter((r) => r.msg === 'admin endpoint: wrong or missing token').at(-1),
      ).toMatchObject({ level: 40, from });
    }
  });

  it('makes an address wait after a wrong token (429 with Retry-After), and a right token then clears it', async () => {
    const from = '127.0.2.1';
    expect((await run(from, { authorization: 'Bearer nope' }, '{}')).status).toBe(401);
    const waiting = await run(from, auth, '{"argv":["help"]}');
    expect(waiting.status).toBe(429);
    expect(waiting.headers.get('retry-after')).toBe('1');
    expect(waiting.headers.get('connection')).toBe('close');
    expect(await waiting.json()).toEqual({ error: 'too many wrong tokens, retry later' });
    await sleep(1100);
    expect((await run(from, auth, '{"argv":["help"]}')).status).toBe(200);
    // Cleared: the next wrong token is a first one again (1 s, not 2 s).
    expect((await run(from, { authorization: 'Bearer nope' }, '{}')).status).toBe(401);
    expect((await run(from, auth, '{}')).headers.get('retry-after')).toBe('1');
    await sleep(1100);
    // A second wrong token in a row doubles the wait.
    expect((await run(from, { authorization: 'Bearer nope' }, '{}')).status).toBe(401);
    const longer = await run(from, auth, '{}');
    expect(longer.status).toBe(429);
    expect(longer.headers.get('retry-after')).toBe('2');
  });

  it('reads an authenticated body up to ADMIN_BODY_LIMIT (20mb by default), past BODY_LIMIT', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const res = await run(
      '127.0.0.24',
      auth,
      JSON.stringify({ argv: ['import', 'synonyms', 'big.txt'], files: { 'other.txt': big } }),
    );
    expect(res.status).toBe(200);
    const tooBig = await run(
      '127.0.0.24',
      auth,
      JSON.stringify({ argv: ['help'], files: { 'x.txt': 'x'.repeat(21 * 1024 * 1024) } }),
    );
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toEqual({ error: 'request body too large' });
  });

  it('streams a backup as a gzip attachment behind the token', async () => {
    const res = await fetch(`${t.url}/admin/api/backup`, {
      headers: { ...auth, 'x-forwarded-for': '127.0.0.25' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="cds-bot-backup.ndjson.gz"',
    );
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    // And the restore takes it back.
    const restored = await fetch(`${t.url}/admin/api/restore`, {
      method: 'POST',
      headers: { ...auth, 'x-forwarded-for': '127.0.0.25' },
      body: bytes,
    });
    expect(restored.status).toBe(200);
    expect(await restored.json()).toMatchObject({ tables: expect.any(Object) });
  });

  it('answers 400 with the reason to a restore that is not a backup', async () => {
    const notGzip = await fetch(`${t.url}/admin/api/restore`, {
      method: 'POST',
      headers: { ...auth, 'x-forwarded-for': '127.0.0.26' },
      body: 'plain text',
    });
    expect(notGzip.status).toBe(400);
    expect(await notGzip.json()).toEqual({ error: expect.any(String) });
    const notBackup = await fetch(`${t.url}/admin/api/restore`, {
      method: 'POST',
      headers: { ...auth, 'x-forwarded-for': '127.0.0.26' },
      body: gzipSync('{"hello":1}\n'),
    });
    expect(notBackup.status).toBe(400);
    expect(((await notBackup.json()) as { error: string }).error).toContain('not a cds-bot backup');
  });

  it('refuses the streamed routes to another host and without the token', async () => {
    const remote = await fetch(`${t.url}/admin/api/backup`, {
      headers: { ...auth, 'x-forwarded-for': '203.0.113.9' },
    });
    expect(remote.status).toBe(403);
    const noToken = await fetch(`${t.url}/admin/api/restore`, {
      method: 'POST',
      headers: { 'x-forwarded-for': '127.0.0.27' },
      body: 'x',
    });
    expect(noToken.status).toBe(401);
  });

  // Last: it closes the database.
  it('ends a backup cut short and answers 500 to a restore when the database fails', async () => {
    const backup = await fetch(`${t.url}/admin/api/backup`, {
      headers: { ...auth, 'x-forwarded-for': '127.0.0.28' },
    });
    const full = Buffer.from(await backup.arrayBuffer());
    await t.testDb.db.close();
    // Headers may be out already: the connection is dropped, never a clean end of stream.
    const cut = fetch(`${t.url}/admin/api/backup`, {
      headers: { ...auth, 'x-forwarded-for': '127.0.0.28' },
    }).then((r) => r.arrayBuffer());
    await expect(cut).rejects.toThrow();
    expect(log.records.some((r) => r.msg === 'backup failed' && r.level === 50)).toBe(true);
    const restore = await fetch(`${t.url}/admin/api/restore`, {
      method: 'POST',
      headers: { ...auth, 'x-forwarded-for': '127.0.0.28' },
      body: full,
    });
    expect(restore.status).toBe(500);
    expect(await restore.json()).toEqual({ error: 'restore failed; nothing was changed' });
    expect(log.records.some((r) => r.msg === 'restore failed' && r.level === 50)).toBe(true);
  });
});
