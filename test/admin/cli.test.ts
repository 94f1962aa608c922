import { connect } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/admin/cli.js';
import { collector } from '../../src/admin/run.js';
import { SEED_DIR } from '../../src/admin/seed.js';
import { createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const PROCEDURES = path.join(SEED_DIR, 'procedures.csv');

async function cli(argv: string[], env: Record<string, string | undefined>, cwd: string) {
  const out = collector();
  const err = collector();
  const exitCode = await main(argv, env, { stdout: out, stderr: err, isTTY: false }, cwd);
  return { exitCode, stdout: out.buffer().toString('utf8'), stderr: err.buffer().toString('utf8') };
}

describe('admin CLI', () => {
  let t: TestDb;
  let env: Record<string, string | undefined>;
  let cwd: string;
  beforeAll(async () => {
    t = await createTestDb();
    cwd = await mkdtemp(path.join(os.tmpdir(), 'cds-cli-cwd-'));
    // The CLI opens the database itself: the test must not hold the PGlite folder meanwhile.
    if (t.kind === 'pglite') await t.db.close();
    env =
      t.kind === 'pglite'
        ? { DATA_DIR: t.dataDir }
        : {
            DATA_DIR: t.dataDir,
            DATABASE_URL: t.databaseUrl,
            INVITE_CODE_PEPPER: 'cli-test-pepper-0123456789abcdefghij',
            TOKEN_ENCRYPTION_KEY: 'cli-test-token-key-0123456789abcdefgh',
          };
  });
  afterAll(async () => {
    await t?.cleanup();
    await rm(cwd, { recursive: true, force: true });
  });

  it('exits 0 and prints a summary when an import succeeds', async () => {
    const r = await cli(['import', 'services', PROCEDURES], env, cwd);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/import services: 201 row\(s\) valid; created 201/);
  });

  it('exits 2 with line numbers when a file has bad rows, and imports nothing', async () => {
    await writeFile(
      path.join(cwd, 'bad.csv'),
      'code,name_vi,field,online_level\n9.1,Một,Hộ tịch,unknown\n9.2,Hai,,unknown\n',
    );
    const r = await cli(['import', 'services', 'bad.csv'], env, cwd);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^line 3: field: field is empty$/m);
    expect(r.stderr).toMatch(/nothing imported/);
  });

  it('exits 2 on an unknown command, an unknown import kind or a missing file', async () => {
    expect((await cli(['frobnicate'], env, cwd)).exitCode).toBe(2);
    const kind = await cli(['import', 'cats', PROCEDURES], env, cwd);
    expect(kind.exitCode).toBe(2);
    expect(kind.stderr).toMatch(/unknown import kind "cats"/);
    const missing = await cli(['import', 'units', 'nope.csv'], env, cwd);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/cannot read nope.csv/);
  });

  it('exits 1 when the database cannot be used', async () => {
    if (t.kind === 'pglite') {
      // A live process that is not a reachable server holds the folder.
      await writeFile(path.join(t.dataDir, 'pglite.lock'), JSON.stringify({ pid: process.ppid }));
      const r = await cli(['import', 'services', PROCEDURES], env, cwd);
      await rm(path.join(t.dataDir, 'pglite.lock'));
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/held by process/);
    } else {
      const url = new URL(t.databaseUrl!);
      url.pathname = '/cds_test_does_not_exist';
      const r = await cli(
        ['import', 'services', PROCEDURES],
        { ...env, DATABASE_URL: url.toString() },
        cwd,
      );
      expect(r.exitCode).toBe(1);
    }
  });

  it('ignores a runtime file whose server process is gone', async () => {
    await writeFile(
      path.join(t.dataDir, 'runtime.json'),
      JSON.stringify({ url: 'http://127.0.0.1:9', pid: 2 ** 22 + 4321, adminToken: 'x' }),
    );
    const r = await cli(['import', 'services', PROCEDURES], env, cwd);
    await rm(path.join(t.dataDir, 'runtime.json'));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/unchanged 201/);
  });

  describe('while a server built by createApp is running', () => {
    const token = 'cli-test-admin-token-0123456789abcdef';
    let s: TestApp;
    let serverEnv: Record<string, string | undefined>;
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${s.url}/admin/api/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    beforeAll(async () => {
      s = await startTestApp({ ADMIN_TOKEN: token, ADMIN_BODY_LIMIT: '64kb' });
      // The CLI finds the server through the runtime file the app wrote in its DATA_DIR.
      serverEnv = {
        ...env,
        DATA_DIR: s.testDb.dataDir,
        ...(s.testDb.kind === 'pglite' ? {} : { DATABASE_URL: s.testDb.databaseUrl }),
      };
    }, 120_000);
    afterAll(async () => {
      await s?.close();
    });

    it('runs the command inside the server, sending the file content along, and audits it', async () => {
      await writeFile(
        path.join(cwd, 'one.csv'),
        'code,name_vi,field,online_level\n9.000009,Thủ tục thử,Hộ tịch,một phần\n',
      );
      const r = await cli(['import', 'services', 'one.csv'], serverEnv, cwd);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/created 1, updated 0, unchanged 0/);
      const prisma = s.testDb.db.prisma;
      expect(await prisma.procedure.count({ where: { code: '9.000009' } })).toBe(1);
      const [entry] = await prisma.auditLog.findMany({
        where: { action: 'admin.command', entityId: 'import' },
        orderBy: { id: 'desc' },
        take: 1,
      });
      expect(entry?.actor).toBe('admin-api 127.0.0.1');
      expect(entry?.data).toMatchObject({
        argv: ['import', 'services', 'one.csv'],
        exitCode: 0,
        changed: ['services'],
      });
    });

    it('passes exit code 2 and the messages back from the server', async () => {
      const r = await cli(['import', 'services', 'missing.csv'], serverEnv, cwd);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/file not found: missing.csv/);
    });

    it('refuses an authenticated body over ADMIN_BODY_LIMIT with 413', async () => {
      const big = 'code,name_vi,field,online_level\n' + '9.1,Một,Hộ tịch,unknown\n'.repeat(4000);
      await writeFile(path.join(cwd, 'big.csv'), big);
      const r = await cli(['import', 'services', 'big.csv'], serverEnv, cwd);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/413/);
    });

    it('answers 400 to argv that is not an array of strings', async () => {
      const res = await post({ authorization: `Bearer ${token}` }, '{"argv":"help"}');
      expect(res.status).toBe(400);
    });

    it('refuses a request forwarded from another host (loopback only by default)', async () => {
      const res = await post(
        { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.7' },
        '{"argv":["help"]}',
      );
      expect(res.status).toBe(403);
    });

    it('answers 401 before reading the body', async () => {
      // Headers announce 19 MB that never come: the answer must not wait for them.
      const port = new URL(s.url).port;
      const answer = await new Promise<string>((resolve, reject) => {
        const sock = connect(Number(port), '127.0.0.1', () => {
          sock.write(
            'POST /admin/api/run HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
              'Content-Type: application/json\r\nAuthorization: Bearer wrong\r\n' +
              'X-Forwarded-For: 127.0.0.3\r\n' +
              `Content-Length: ${19 * 1024 * 1024}\r\n\r\n{"argv":`,
          );
        });
        let got = '';
        sock.on('data', (c: Buffer) => {
          got += c.toString('utf8');
          if (got.includes('\r\n\r\n')) {
            sock.destroy();
            resolve(got);
          }
        });
        sock.on('error', reject);
        setTimeout(() => {
          sock.destroy();
          reject(new Error(`no answer before the body was sent: ${got}`));
        }, 3000);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 401/);
    });

    it('throttles wrong tokens per source address with exponential back-off', async () => {
      const from = { 'x-forwarded-for': '127.0.0.9' };
      const first = await post({ ...from, authorization: 'Bearer nope' }, '{"argv":["help"]}');
      expect(first.status).toBe(401);
      const second = await post({ ...from, authorization: 'Bearer nope' }, '{"argv":["help"]}');
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Even the right token waits out the back-off of that address…
      const during = await post({ ...from, authorization: `Bearer ${token}` }, '{"argv":["help"]}');
      expect(during.status).toBe(429);
      // …while other addresses are not affected.
      const other = await post({ authorization: `Bearer ${token}` }, '{"argv":["help"]}');
      expect(other.status).toBe(200);
    });

    it('exits 1 when the server refuses the token', async () => {
      const runtime = JSON.parse(
        await readFile(path.join(s.testDb.dataDir, 'runtime.json'), 'utf8'),
      ) as { url: string };
      await writeFile(
        path.join(s.testDb.dataDir, 'runtime.json'),
        JSON.stringify({ url: runtime.url, pid: process.pid, adminToken: 'wrong' }),
      );
      const r = await cli(['help'], serverEnv, cwd);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/401/);
    });
  });
});
