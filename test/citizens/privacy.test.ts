import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_STORED_LENGTH,
  SENSITIVE_PLACEHOLDER,
  maskQuestion,
} from '../../src/citizens/privacy.js';
import { CitizenService } from '../../src/citizens/service.js';
import { pruneUnanswered } from '../../src/jobs/housekeeping.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/** Vietnamese questions and what may be stored of them (null: only counted). */
const FIXTURES = JSON.parse(
  readFileSync(new URL('./fixtures/unanswered-masking.json', import.meta.url), 'utf8'),
) as { question: string; stored: string | null }[];

describe("citizens' questions are masked before they are stored", () => {
  it('has a fixture set of at least 50 questions', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(FIXTURES)('$question', ({ question, stored }) => {
    const m = maskQuestion(question);
    if (stored === null) expect(m).toEqual({ kind: 'sensitive' });
    else expect(m).toEqual({ kind: 'masked', text: stored });
  });

  it('keeps no email, phone, ID number, full date or name of the fixtures', () => {
    const kept = FIXTURES.flatMap((f) => (f.stored === null ? [] : [f.stored])).join('\n');
    expect(kept).not.toMatch(/@[a-z]/);
    expect(kept).not.toMatch(/\d{5,}/);
    expect(kept).not.toMatch(/\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}/);
    for (const name of [
      'nguyen van an',
      'tran thi bich',
      'le van cuong',
      'pham minh khoi',
      'dinh thi mai',
    ])
      expect(kept).not.toContain(name);
  });

  it('caps what is stored at 200 characters', () => {
    const m = maskQuestion('thủ tục '.repeat(100));
    expect(m.kind === 'masked' && m.text.length).toBe(MAX_STORED_LENGTH);
  });
});

describe('stored unanswered questions', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  }, 120_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  it('store the masked text, and only count a sensitive question under one placeholder', async () => {
    const svc = new CitizenService({ prisma: t.db.prisma });
    const at = new Date('2026-11-01T01:00:00Z');
    await svc.recordUnanswered('Tôi tên Nguyễn Văn An, sđt 0912345678, làm lại căn cước', at);
    await svc.recordUnanswered('tôi bị ung thư làm thẻ bảo hiểm y tế thế nào', at);
    await svc.recordUnanswered('con tôi bị tự kỷ xin trợ cấp ở đâu', at);
    const rows = await t.db.prisma.unansweredQuery.findMany({ orderBy: { queryFolded: 'asc' } });
    expect(rows.map((r) => [r.queryFolded, r.count])).toEqual([
      [SENSITIVE_PLACEHOLDER, 2],
      ['toi ten <ten>, sdt <sdt>, lam lai can cuoc', 1],
    ]);
  });

  it('are pruned 90 days after they were first asked, even when asked again since', async () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const day = 86_400_000;
    await t.db.prisma.unansweredQuery.createMany({
      data: [
        { queryFolded: 'cu', firstAt: new Date(now.getTime() - 91 * day), lastAt: now },
        { queryFolded: 'moi', firstAt: new Date(now.getTime() - 89 * day), lastAt: now },
      ],
    });
    expect(await pruneUnanswered(t.db.prisma, now)).toBeGreaterThanOrEqual(1);
    const left = await t.db.prisma.unansweredQuery.findMany({
      where: { queryFolded: { in: ['cu', 'moi'] } },
    });
    expect(left.map((r) => r.queryFolded)).toEqual(['moi']);
    expect(await pruneUnanswered(t.db.prisma, now, 30)).toBeGreaterThanOrEqual(1);
  });

  it('search misses follow the same retention', async () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const day = 86_400_000;
    await t.db.prisma.searchMiss.createMany({
      data: [
        { kind: 'not_found', question: 'cu', shown: [], at: new Date(now.getTime() - 91 * day) },
        {
          kind: 'not_mine',
          question: 'moi',
          shown: ['1.001193'],
          at: new Date(now.getTime() - 89 * day),
        },
      ],
    });
    await pruneUnanswered(t.db.prisma, now);
    const left = await t.db.prisma.searchMiss.findMany({
      where: { question: { in: ['cu', 'moi'] } },
    });
    expect(left.map((r) => r.question)).toEqual(['moi']);
  });
});
