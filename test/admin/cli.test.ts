import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/admin/cli.js';
import { createAdminRunner } from '../../src/admin/endpoint.js';
import { collector } from '../../src/admin/run.js';
import { createDb } from '../../src/db/client.js';
import type { Db } from '../../src/db/client.js';
import { SEED_DIR } from '../../src/admin/seed.js';
import { createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';

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
        : { DATA_DIR: t.dataDir, DATABASE_URL: t.databaseUrl };
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

  describe('while a server is running', () => {
    let server: Server;
    let serverDb: Db;
    const token = 'test-token-123';
    beforeAll(async () => {
      serverDb = await createDb({ dataDir: t.dataDir, databaseUrl: t.databaseUrl });
      const run = createAdminRunner({
        db: serverDb,
        config: { dataDir: t.dataDir, timezone: 'Asia/Ho_Chi_Minh' },
        now: () => new Date(),
      });
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (req.headers.authorization !== `Bearer ${token}`) {
            res.writeHead(401).end('{}');
            return;
          }
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            argv: string[];
            files: Record<string, string>;
          };
          void run(body.argv, body.files).then((r) => {
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r));
          });
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      // Like the real server: it holds the folder lock and advertises itself.
      await writeFile(path.join(t.dataDir, 'pglite.lock'), JSON.stringify({ pid: process.pid }));
      await writeFile(
        path.join(t.dataDir, 'runtime.json'),
        JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid, adminToken: token }),
      );
    });
    afterAll(async () => {
      await rm(path.join(t.dataDir, 'runtime.json'), { force: true });
      await rm(path.join(t.dataDir, 'pglite.lock'), { force: true });
      await new Promise((resolve) => server?.close(resolve));
      await serverDb?.close();
    });

    it('runs the command inside the server, sending the file content along', async () => {
      await writeFile(
        path.join(cwd, 'one.csv'),
        'code,name_vi,field,online_level\n9.000009,Thủ tục thử,Hộ tịch,một phần\n',
      );
      const r = await cli(['import', 'services', 'one.csv'], env, cwd);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/created 1, updated 0, unchanged 0, removed 201/);
      expect(await serverDb.prisma.procedure.count()).toBe(1);
    });

    it('passes exit code 2 and the messages back from the server', async () => {
      const r = await cli(['import', 'services', 'missing.csv'], env, cwd);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/file not found: missing.csv/);
    });

    it('exits 1 when the server refuses the token', async () => {
      await writeFile(
        path.join(t.dataDir, 'runtime.json'),
        JSON.stringify({
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          pid: process.pid,
          adminToken: 'wrong',
        }),
      );
      const r = await cli(['help'], env, cwd);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/401/);
    });
  });
});
