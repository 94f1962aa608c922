import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { runAdminCommand } from '../../../src/admin/run.js';
import type { AdminDeps } from '../../../src/admin/types.js';
import { redeemInvitation, resolveIdentity } from '../../../src/domain/people/index.js';
import { seedFixture, vn, type Fixture } from '../../domain/people/fixture.js';

let t: TestDb;
let f: Fixture;
let deps: AdminDeps;
const now = vn('2025-11-03T09:00:00');
const run = (...argv: string[]) => runAdminCommand(argv, deps, { collectOutputFiles: true });

beforeAll(async () => {
  t = await createTestDb();
  f = await seedFixture(t.db);
  deps = {
    db: t.db,
    config: { dataDir: t.dataDir, timezone: 'Asia/Ho_Chi_Minh', inviteCodePepper: 'test-pepper' },
    now: () => now,
    readFile: (p) => readFile(p),
    writeFile: async () => {},
  };
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('invite', () => {
  it('create prints the code alone on the last line, and the code links a chat identity', async () => {
    const r = await run(
      'invite',
      'create',
      '--unit',
      '18100',
      '--role',
      'reporter',
      '--expires',
      '3d',
    );
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const code = lines[lines.length - 1] ?? '';
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(r.stdout).toContain('Phường Trần Phú');
    const res = await redeemInvitation(t.db.prisma, {
      code,
      channel: 'sim',
      externalId: 'cli-1',
      now,
      pepper: 'test-pepper',
    });
    expect(res.unit.id).toBe(f.tranPhu);
  });

  it('list shows invitations with status, revoke by id makes one unusable', async () => {
    const c = await run('invite', 'create', '--unit', '18073', '--role', 'manager');
    const code = c.stdout.trimEnd().split('\n').pop() ?? '';
    const l = await run('invite', 'list', '--unit', '18073', '--active');
    expect(l.exitCode).toBe(0);
    const row = l.stdout.split('\n').find((x) => x.includes('manager'));
    expect(row).toContain('active');
    const id = row?.split('\t')[0] ?? '';
    expect((await run('invite', 'revoke', id)).exitCode).toBe(0);
    expect((await run('invite', 'revoke', code)).exitCode).toBe(2); // already revoked
    const after = await run('invite', 'list', '--unit', '18073');
    expect(after.stdout).toContain('revoked');
  });

  it.each([
    [['invite', 'create', '--unit', '99999', '--role', 'reporter'], /unknown unit '99999'/],
    [['invite', 'create', '--unit', '18100', '--role', 'boss'], /--role must be/],
    [['invite', 'create', '--role', 'reporter'], /--unit/],
    [
      ['invite', 'create', '--unit', '18100', '--role', 'reporter', '--expires', 'soon'],
      /bad duration/,
    ],
    [['invite', 'frobnicate'], /unknown subcommand/],
    [['invite', 'create', '--unit', '18100', '--role', 'reporter', '--bogus'], /bogus/],
    [['invite', 'revoke', 'ZZZZ-ZZZZ'], /unknown invitation/],
  ])('exits 2 with a clear message for %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('member', () => {
  it('lists members and removes a person, with exit 2 for unknown people or units', async () => {
    const c = await run('invite', 'create', '--unit', '18073', '--role', 'reporter');
    const code = c.stdout.trimEnd().split('\n').pop() ?? '';
    const { person } = await redeemInvitation(t.db.prisma, {
      code,
      channel: 'telegram',
      externalId: 'tg-m',
      displayName: 'Võ Thị D',
      now,
      pepper: 'test-pepper',
    });
    const l = await run('member', 'list', '--unit', '18073');
    expect(l.exitCode).toBe(0);
    expect(l.stdout).toContain(
      `${person.id}\tVõ Thị D\t18073 Phường Thành Sen\treporter\ttelegram:tg-m`,
    );
    const rm = await run('member', 'remove', person.id);
    expect(rm.exitCode).toBe(0);
    expect(rm.stdout).toContain('Removed 1 membership(s)');
    expect((await resolveIdentity(t.db.prisma, 'telegram', 'tg-m'))?.memberships).toEqual([]);
    expect((await run('member', 'remove', 'no-such-person')).exitCode).toBe(2);
    expect((await run('member', 'list', '--unit', '00000')).exitCode).toBe(2);
    expect((await run('member')).exitCode).toBe(2);
  });
});
