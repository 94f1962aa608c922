/**
 * Caches follow the data versions: two app instances on one database, an import through one
 * instance's admin endpoint (or straight into the database, as the CLI does on PostgreSQL),
 * and the other instance uses the new catalogue on its next update.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport, type Importer } from '../../src/admin/importers.js';
import { importer as servicesImporter } from '../../src/admin/importers/services.js';
import { createInvitation } from '../../src/domain/people/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const TOKEN = 'versions-test-admin-token-0123456789';
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  a = await startTestApp({ ADMIN_TOKEN: TOKEN }, {}, { seeded: true });
  b = await startTestApp({}, { db: a.testDb.db }, {});
});
afterAll(async () => {
  await b?.app.stop();
  await a?.close();
});

/** Run an admin command through instance A's real endpoint. */
async function adminOnA(argv: string[], files: Record<string, Buffer> = {}) {
  const res = await fetch(`${a.url}/admin/api/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({
      argv,
      files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.toString('base64')])),
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { exitCode: number; stdout: string; stderr: string };
}

describe('caches on several instances', () => {
  it('reads a new indicator alias imported through another instance on the next update', async () => {
    const { code } = await createInvitation(a.app.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now: new Date(),
    });
    await b.sim('ver-rep', { text: `/link ${code}` });
    // B has read the catalogue (and cached it) before the import.
    const before = await b.sim('ver-rep', { text: 'bc chỉ số xanh 45/50' });
    expect(before.replies[0]!.text).not.toContain('KNS: 45/50');

    const csv = readFileSync('prisma/seed/indicators.csv', 'utf8')
      .split('\n')
      .map((line) =>
        line.startsWith('KNS,') ? line.replace(/,([^,]*)$/, ',$1|chi so xanh') : line,
      )
      .join('\n');
    const r = await adminOnA(['import', 'indicators', 'indicators.csv'], {
      'indicators.csv': Buffer.from(csv),
    });
    expect(r.exitCode, r.stderr).toBe(0);

    const after = await b.sim('ver-rep', { text: 'bc Q4/2026 chỉ số xanh 45/50' });
    expect(after.replies[0]!.text).toContain('KNS');
    expect(after.replies[0]!.text).toContain('45/50');
  });

  it('finds a procedure imported straight into the database on the other instance', async () => {
    const question = 'cấp phép nuôi ong mật thử nghiệm';
    const offered = (r: Awaited<ReturnType<typeof b.sim>>) =>
      JSON.stringify(r.replies).includes('9.999901');
    const before = await b.sim('ver-cit', { text: question });
    expect(offered(before)).toBe(false);
    const header = readFileSync('prisma/seed/procedures.csv', 'utf8').split('\n');
    const row =
      '9.999901,Thủ tục cấp phép nuôi ong mật thử nghiệm,Nông nghiệp,Cấp xã,cấp xã,toàn trình,,5 ngày làm việc,Miễn phí,https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=9.999901,test';
    const content = [...header.filter((l) => l.trim() !== ''), row].join('\n') + '\n';
    await runImport(a.testDb.db, servicesImporter as Importer<unknown>, Buffer.from(content), {
      now: new Date(),
      actor: 'cli',
      fileName: 'procedures.csv',
      progress: () => {},
    });
    const after = await b.sim('ver-cit', { text: question });
    // Offered by the other instance (in the text or as a candidate button, code visible).
    expect(offered(after)).toBe(true);
  });
});
