/**
 * What a server's first start costs (issue 16.1/16.2): the embedded database starts from the
 * build's initdb template instead of running initdb in the server process, and the schema
 * engine is let go once migrations are applied.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cds-first-start-'));
const templateDir = path.join(tmp, 'template');
const opened: Db[] = [];

function logger() {
  const lines: string[] = [];
  const log = (_o: unknown, msg?: string) => void lines.push(msg ?? '');
  return { lines, log: { info: log, warn: log, error: log, debug: log } };
}

async function open(name: string, dir = templateDir) {
  const l = logger();
  const db = await createDb({
    dataDir: path.join(tmp, name),
    logger: l.log,
    pgliteTemplateDir: dir,
  });
  opened.push(db);
  return { db, lines: l.lines };
}

describe('first start of the embedded database', () => {
  beforeAll(() => {
    const r = spawnSync(process.execPath, ['scripts/pglite-template.mjs', templateDir], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    for (const db of opened) await db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the build writes one template named after the installed PGlite version', () => {
    expect(readdirSync(templateDir)).toEqual([
      expect.stringMatching(/^template-\d+\.\d+\.\d+\.tar\.gz$/),
    ]);
  });

  it('creates a new database from the template, migrates it and keeps its data on reopen', async () => {
    const { db, lines } = await open('a');
    expect(lines).toContain('embedded database created from the build template');
    expect((await migrate(db, { release: true })).length).toBeGreaterThan(5);
    await db.prisma.unit.create({
      data: {
        code: '42',
        name: 'Tỉnh Hà Tĩnh',
        nameFolded: 'tinh ha tinh',
        type: 'tỉnh',
        level: 'province',
        effectiveFrom: new Date('2025-07-01T00:00:00Z'),
      },
    });
    await db.close();
    // A restart opens the existing cluster; the template is not applied over it.
    const again = await open('a');
    expect(again.lines).not.toContain('embedded database created from the build template');
    expect(await again.db.prisma.unit.count()).toBe(1);
    expect(await migrate(again.db)).toEqual([]);
  }, 180_000);

  it('after the schema engine was released, the next migration instantiates it again', async () => {
    const { db } = await open('b');
    const applied = await migrate(db, { release: true });
    const other = await open('c');
    expect(await migrate(other.db, { release: true })).toEqual(applied);
    // Late callbacks of a released engine must not take the process down.
    await new Promise((r) => setTimeout(r, 200));
  }, 180_000);

  it('runs initdb as before when no template of this PGlite version is there', async () => {
    const [file] = readdirSync(templateDir);
    const renamed = path.join(templateDir, 'template-0.0.0.tar.gz');
    renameSync(path.join(templateDir, file!), renamed);
    try {
      const { db, lines } = await open('d');
      expect(lines).not.toContain('embedded database created from the build template');
      expect((await db.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT 1 AS n'))[0]?.n).toBe(1);
    } finally {
      renameSync(renamed, path.join(templateDir, file!));
    }
  }, 180_000);
});
