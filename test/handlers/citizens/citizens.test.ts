import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  citizenQuestionHandler,
  citizensHandler,
  type CitizenServices,
} from '../../../handlers/citizens/index.js';
import { CitizenService, fieldKey } from '../../../src/citizens/service.js';
import type { FeatureHandler } from '../../../src/core/feature.js';
import type { ConversationState, HandlerContext, Locale } from '../../../src/core/handler.js';
import { createI18n } from '../../../src/core/i18n.js';
import type { OutboundReply } from '../../../src/core/message.js';

const i18n = createI18n({ defaultLocale: 'vi' });
let citizens: CitizenService;
let handlers: FeatureHandler<CitizenServices>[];

beforeAll(async () => {
  citizens = new CitizenService();
  await citizens.load();
  handlers = [citizensHandler, citizenQuestionHandler];
});

function byName(name: string): FeatureHandler<CitizenServices> {
  const h = handlers.find((x) => x.name === name);
  if (!h) throw new Error(`no handler ${name}`);
  return h;
}

/** Run one handler on one message; returns the replies and the state it set. */
async function run(
  name: string,
  input: { text?: string; button?: string },
  locale: Locale = 'vi',
  before: ConversationState = {},
): Promise<{
  replies: OutboundReply[];
  state: ConversationState | null | undefined;
  matched: boolean;
}> {
  const replies: OutboundReply[] = [];
  let state: ConversationState | null | undefined;
  const ctx: HandlerContext<CitizenServices> = {
    msg: {
      channel: 'sim',
      chatId: 'c1',
      userId: 'u1',
      updateId: '1',
      receivedAt: new Date(),
      ...input,
    },
    locale,
    t: i18n.translator(locale),
    tFor: (l) => i18n.translator(l),
    state: structuredClone(before),
    setState: (s) => {
      state = s;
    },
    reply: (r) => replies.push(typeof r === 'string' ? { text: r } : r),
    log: pino({ level: 'silent' }),
    services: {
      citizens: {
        index: async () => citizens,
        recordUnanswered: (text, at) => citizens.recordUnanswered(text, at),
        recordMiss: (miss, at) => citizens.recordMiss(miss, at),
        recordPick: (id, code, at) => citizens.recordPick(id, code, at),
      },
    },
    commands: [],
    setMenu: () => {},
    now: () => new Date('2026-11-27T03:00:00Z'),
  };
  const h = byName(name);
  const matched = h.match ? await h.match(ctx) : true;
  await h.handle(ctx);
  return { replies, state, matched };
}

const data = (r: OutboundReply): string[] => (r.buttons ?? []).flat().map((b) => b.data);

describe('citizens handlers', () => {
  it('registers /dichvu, /services, "dịch vụ" and the svc: buttons on one handler', () => {
    const h = byName('citizens');
    const names = (h.commands ?? []).flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    expect(names).toEqual(expect.arrayContaining(['dichvu', 'services']));
    expect(h.keywords).toContain('dich vu');
    expect(h.buttons).toEqual(['svc:']);
  });

  it('explains itself on /dichvu alone, with field, fully-online and FAQ buttons', async () => {
    const { replies, state } = await run('citizens', { text: '/dichvu' });
    expect(replies[0]?.text).toContain('Anh/chị gõ việc cần làm');
    expect(data(replies[0]!)).toEqual(
      expect.arrayContaining(['svc:fl:1', 'svc:tt:1', 'svc:q:vneid']),
    );
    expect(state).toBeUndefined();
  });

  it('answers the words after /dichvu', async () => {
    const { replies } = await run('citizens', { text: '/dichvu đổi bằng lái xe' });
    expect(replies[0]?.text).toContain('Đổi giấy phép lái xe');
    expect(replies[0]?.text).toContain('(mã 3.000347)');
  });

  it('answers free text with the best procedure on one screen, the others as coded buttons, and remembers only the masked question', async () => {
    const { replies, state, matched } = await run('citizenQuestion', {
      text: 'làm giấy khai sinh online được không, sđt 0912 345 678',
    });
    expect(matched).toBe(true);
    const r = replies[0]!;
    expect(r.text.length).toBeLessThanOrEqual(700);
    expect(r.text).toContain('Thủ tục đăng ký khai sinh (mã 1.001193)');
    expect(r.text).toContain('toàn trình – làm hoàn toàn trên mạng');
    expect(r.text).toContain('Nguồn: Cổng Dịch vụ công quốc gia, danh mục ngày 03/10/2026.');
    expect(data(r)[0]).toBe('svc:d:1.001193');
    expect(data(r)).toContain('svc:no');
    const others = (r.buttons ?? []).flat().slice(1, -1);
    expect(others.length).toBeGreaterThan(0);
    for (const b of others) expect(b.label).toMatch(/^\d\.\d{6} · /);
    const svc = state?.data?.['svc'] as { q: string; shown: string[] };
    expect(svc.shown[0]).toBe('1.001193');
    expect(svc.q).not.toMatch(/0912|345 678/);
  });

  it('records "không phải cái tôi cần" with what was shown and what the person opened next, no user id', async () => {
    const first = await run('citizenQuestion', { text: 'sổ hồng bị thất lạc xin cấp lại' });
    const shown = (first.state?.data?.['svc'] as { shown: string[] }).shown;
    const no = await run('citizens', { button: 'svc:no' }, 'vi', first.state ?? {});
    const pick = await run('citizens', { button: 'svc:d:1.013995' }, 'vi', no.state ?? {});
    expect(pick.replies[0]?.text).toContain('1.013995');
    const row = (await citizens.misses(5)).find((m) => m.question.includes('so hong'));
    expect(row).toMatchObject({ kind: 'not_mine', shown, pickedCode: '1.013995' });
    expect(Object.keys(row ?? {}).sort()).toEqual(
      ['at', 'id', 'kind', 'pickedAt', 'pickedCode', 'question', 'shown'].sort(),
    );
    // Only the first pick counts; later taps change nothing.
    await run('citizens', { button: 'svc:d:1.001193' }, 'vi', pick.state ?? {});
    expect((await citizens.misses(5)).find((m) => m.id === row?.id)?.pickedCode).toBe('1.013995');
  });

  it('answers small talk briefly with what the bot can do, never with procedures', async () => {
    for (const text of ['xin chào', 'cảm ơn bạn nhiều', 'bạn là ai vậy', 'bot ơi có vợ chưa']) {
      const { replies } = await run('citizenQuestion', { text });
      expect(replies[0]?.text, text).toContain('trợ lý tra cứu dịch vụ công');
      expect(data(replies[0]!)).not.toContainEqual(expect.stringMatching(/^svc:d:/));
    }
  });

  it('says a procedure outside the catalogue is not in the list, with the national portal', async () => {
    const { replies } = await run('citizenQuestion', { text: 'xin visa đi Mỹ' });
    expect(replies[0]?.text).toContain('không có trong danh sách');
    expect(replies[0]?.text).toContain('https://dichvucong.gov.vn');
    const row = (await citizens.misses(5)).find((m) => m.question === 'xin visa di my');
    expect(row).toMatchObject({ kind: 'not_found', shown: [] });
  });

  it('does not claim slash commands or empty messages as citizen questions', async () => {
    expect((await run('citizenQuestion', { text: '/help' })).matched).toBe(false);
    expect((await run('citizenQuestion', { button: 'x' })).matched).toBe(false);
  });

  it('says it found nothing, suggests fields, and counts the question anonymously', async () => {
    const before =
      (await citizens.unanswered()).find((r) => r.queryFolded === 'ket qua xo so hom qua')?.count ??
      0;
    const { replies } = await run('citizenQuestion', { text: 'Kết quả xổ số hôm qua' });
    expect(replies[0]?.text).toContain('chưa tìm thấy');
    expect(data(replies[0]!)).toContain('svc:fl:1');
    const row = (await citizens.unanswered()).find(
      (r) => r.queryFolded === 'ket qua xo so hom qua',
    );
    expect(row?.count).toBe(before + 1);
  });

  it('lists toàn trình commune procedures, paged, for "dịch vụ nào làm online hoàn toàn ở xã"', async () => {
    const { replies } = await run('citizens', { text: 'dịch vụ nào làm online hoàn toàn ở xã' });
    const r = replies[0]!;
    expect(r.text).toContain('toàn trình) ở cấp xã');
    expect(r.text).toContain('Trang 1/');
    expect(data(r)).toContain('svc:tt:2');
    const next = await run('citizens', { button: 'svc:tt:2' });
    expect(next.replies[0]?.text).toContain('Trang 2/');
  });

  it('shows details of a procedure from its button, and a clear message for an unknown code', async () => {
    const ok = await run('citizens', { button: 'svc:d:1.004194' });
    expect(ok.replies[0]?.text).toContain('Đăng ký tạm trú');
    expect(ok.replies[0]?.text).toContain('chưa có thông tin');
    expect(ok.replies[0]?.text).toContain('Lệ phí chỉ để tham khảo');
    const bad = await run('citizens', { button: 'svc:d:9.999999' });
    expect(bad.replies[0]?.text).toContain('mã 9.999999');
  });

  it('offers browsing by field after "không phải cái tôi cần", and lists a field from its button', async () => {
    const no = await run('citizens', { button: 'svc:no' });
    expect(no.replies[0]?.text).toContain('gõ lại bằng từ khác');
    const key = fieldKey('Hộ tịch');
    expect(data(no.replies[0]!)).toContain(`svc:f:${key}:1`);
    const field = await run('citizens', { button: `svc:f:${key}:1` });
    expect(field.replies[0]?.text).toContain('Lĩnh vực Hộ tịch: 38 thủ tục');
    expect(data(field.replies[0]!)).toContain(`svc:f:${key}:2`);
  });

  it('recovers from a stale field button by showing the fields again', async () => {
    const { replies } = await run('citizens', { button: 'svc:f:deadbeef:1' });
    expect(replies[0]?.text).toContain('chọn lại lĩnh vực');
  });

  it('answers FAQ buttons and FAQ questions', async () => {
    const btn = await run('citizens', { button: 'svc:q:vneid' });
    expect(btn.replies[0]?.text).toContain('VNeID');
    const q = await run('citizenQuestion', { text: 'tạo tài khoản dịch vụ công thế nào' });
    expect(q.replies[0]?.text).toContain('dichvucong.gov.vn');
  });

  it('speaks English when the chat chose English', async () => {
    const { replies } = await run('citizenQuestion', { text: 'dang ky ket hon' }, 'en');
    expect(replies[0]?.text).toContain('(code 1.000894)');
    expect(replies[0]?.text).toContain('Source: National Public Service Portal');
  });
});
