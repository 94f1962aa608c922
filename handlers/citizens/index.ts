import type { Feature, FeatureHandler } from '../../src/core/feature.js';
import type { HandlerContext } from '../../src/core/handler.js';
import type { OutboundReply } from '../../src/core/message.js';
import { commandArgs, commandOf } from '../../src/core/router.js';
import {
  formatDetails,
  formatFaq,
  formatFields,
  formatHits,
  formatNotFound,
  formatNotInList,
  formatProcedureList,
} from '../../src/citizens/format.js';
import { anonymiseQuery, type CitizenService } from '../../src/citizens/service.js';
import type { SearchHit } from '../../src/citizens/types.js';
import type { CitizensService } from '../../src/services/index.js';
import { fold } from '../../src/text/vietnamese.js';

/**
 * Citizens: which public services are online, found from everyday words. Every answer carries
 * its own buttons (`svc:…`). To learn from misses, the chat's state (TTL-bound, never the
 * database) remembers the last question, masked, with what was shown; a "Không phải cái tôi
 * cần" tap or a question that found nothing is stored without any user id (SearchMiss), and
 * the procedure opened next is added to it.
 */
export interface CitizenServices {
  citizens: CitizensService;
}

type Ctx = HandlerContext<CitizenServices>;

const KEYWORDS = ['dich vu', 'dich vu cong'];

function intro(ctx: Ctx): OutboundReply {
  return {
    text: ctx.t('citizen.intro'),
    buttons: [
      [{ label: ctx.t('citizen.buttons.fields'), data: 'svc:fl:1' }],
      [{ label: ctx.t('citizen.buttons.fullyOnline'), data: 'svc:tt:1' }],
      [
        { label: ctx.t('citizen.buttons.faqAccount'), data: 'svc:q:tai-khoan-dvc' },
        { label: ctx.t('citizen.buttons.faqVneid'), data: 'svc:q:vneid' },
      ],
      [{ label: ctx.t('citizen.buttons.faqHelp'), data: 'svc:q:ho-tro-truc-tiep' }],
    ],
  };
}

function fullyOnlineList(ctx: Ctx, svc: CitizenService, page: number): OutboundReply {
  const list = svc.fullyOnlineAtCommune();
  if (list.length === 0) return { text: ctx.t('citizen.fullyOnlineNone') };
  return formatProcedureList(
    ctx.t('citizen.fullyOnlineTitle', { count: list.length }),
    list,
    page,
    'svc:tt:',
    ctx.t,
    svc.asOf(),
  );
}

function fieldList(ctx: Ctx, svc: CitizenService, key: string, page: number): OutboundReply {
  const info = svc.fieldByButtonKey(key);
  if (!info) return formatFields(svc.fields(), 1, ctx.t, ctx.t('citizen.unknownField'));
  return formatProcedureList(
    ctx.t('citizen.fieldTitle', { field: info.field, count: info.count }),
    svc.proceduresInField(info.field),
    page,
    `svc:f:${key}:`,
    ctx.t,
    svc.asOf(),
  );
}

/** What the chat remembers of its last search (state `data.svc`). */
interface LastSearch {
  /** The question, masked as stored questions are. */
  q: string;
  shown: string[];
  /** A miss waiting for the person's next pick. */
  miss?: string;
}

function lastSearch(ctx: Ctx): LastSearch | undefined {
  const v = ctx.state.data?.['svc'] as Partial<LastSearch> | undefined;
  if (!v || typeof v.q !== 'string' || !Array.isArray(v.shown)) return undefined;
  return {
    q: v.q,
    shown: v.shown.filter((x): x is string => typeof x === 'string'),
    ...(typeof v.miss === 'string' ? { miss: v.miss } : {}),
  };
}

/** Remember (or forget) the last search; never inside another feature's flow. */
function remember(ctx: Ctx, last: LastSearch | undefined): void {
  if (ctx.state.flow) return;
  const data = { ...(ctx.state.data ?? {}) };
  if (last) data['svc'] = last;
  else delete data['svc'];
  ctx.setState({ ...ctx.state, data });
}

function hitKey(h: SearchHit): string {
  return h.kind === 'procedure' ? h.procedure.code : `faq:${h.faq.id}`;
}

/**
 * Answer a citizen's free-text question (shared by /dichvu <text>, the fallback, and the
 * reporter's "Tra cứu thủ tục" button when a report attempt was meant as a search).
 */
export async function answerCitizenText(ctx: Ctx, text: string): Promise<void> {
  return answerText(ctx, text);
}

async function answerText(ctx: Ctx, text: string): Promise<void> {
  const svc = await ctx.services.citizens.index();
  const a = svc.answer(text);
  switch (a.kind) {
    case 'smallTalk':
      ctx.reply({ ...intro(ctx), text: ctx.t('citizen.smallTalk') });
      return;
    case 'fullyOnlineCommune':
      ctx.reply(fullyOnlineList(ctx, svc, 1));
      return;
    case 'fields':
      ctx.reply(formatFields(svc.fields(), 1, ctx.t));
      return;
    case 'field':
      ctx.reply(fieldList(ctx, svc, a.field.key, 1));
      return;
    case 'hits': {
      // A miss still waiting for a pick stays open across a rephrased question.
      const pending = lastSearch(ctx)?.miss;
      remember(ctx, {
        q: anonymiseQuery(text),
        shown: a.hits.map(hitKey),
        ...(pending ? { miss: pending } : {}),
      });
      ctx.reply(formatHits(a.hits, ctx.t, svc.asOf()));
      return;
    }
    case 'notFound': {
      await ctx.services.citizens.recordUnanswered(text, ctx.now());
      const miss = await ctx.services.citizens.recordMiss(
        { kind: 'not_found', question: text, shown: [] },
        ctx.now(),
      );
      remember(ctx, { q: anonymiseQuery(text), shown: [], ...(miss ? { miss } : {}) });
      ctx.reply(a.outOfCatalogue ? formatNotInList(text, ctx.t) : formatNotFound(text, ctx.t));
      return;
    }
  }
}

function pageOf(s: string | undefined): number {
  const n = Number(s);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** Button data `svc:<kind>[:<arg>[:<page>]]`. */
async function answerButton(ctx: Ctx, svc: CitizenService, data: string): Promise<OutboundReply> {
  const [, kind, arg, page] = data.split(':');
  switch (kind) {
    case 'd': {
      const p = arg ? svc.procedure(arg) : undefined;
      const last = lastSearch(ctx);
      if (p && last?.miss) {
        await ctx.services.citizens.recordPick(last.miss, p.code, ctx.now());
        remember(ctx, { q: last.q, shown: last.shown });
      }
      return p
        ? formatDetails(p, ctx.t, svc.asOf())
        : { text: ctx.t('citizen.unknownCode', { code: arg ?? '' }) };
    }
    case 'q': {
      const f = arg ? svc.faq(arg) : undefined;
      return f ? formatFaq(f, ctx.t) : intro(ctx);
    }
    case 'no': {
      const last = lastSearch(ctx);
      if (last) {
        const miss = await ctx.services.citizens.recordMiss(
          { kind: 'not_mine', question: last.q, shown: last.shown },
          ctx.now(),
        );
        remember(ctx, { q: last.q, shown: last.shown, ...(miss ? { miss } : {}) });
      }
      return formatFields(svc.fields(), 1, ctx.t, ctx.t('citizen.notMine'));
    }
    case 'fl':
      return formatFields(svc.fields(), pageOf(arg), ctx.t);
    case 'f':
      return fieldList(ctx, svc, arg ?? '', pageOf(page));
    case 'tt':
      return fullyOnlineList(ctx, svc, pageOf(arg));
    default:
      return intro(ctx);
  }
}

/**
 * `/dichvu`, `/services`, "dịch vụ …" (alone: explain; with words: answer them) and every
 * `svc:` button. Its writes (anonymous "not found" counter, search misses) need not commit
 * with the update, so it runs without the update's transaction.
 */
export const citizensHandler: FeatureHandler<CitizenServices> = {
  name: 'citizens',
  priority: 30,
  transactional: false,
  commands: [
    {
      name: 'dichvu',
      aliases: ['services', 'dichvucong'],
      audience: ['everyone'],
      description: 'citizen.commands.dichvu',
    },
  ],
  keywords: KEYWORDS,
  buttons: ['svc:'],
  async handle(ctx) {
    if (ctx.msg.button !== undefined) {
      ctx.reply(await answerButton(ctx, await ctx.services.citizens.index(), ctx.msg.button));
      return;
    }
    const text = ctx.msg.text ?? '';
    const rest = commandOf(text) ? commandArgs(text) : text;
    const folded = fold(rest);
    if (folded === '' || KEYWORDS.includes(folded)) {
      ctx.reply(intro(ctx));
      return;
    }
    await answerText(ctx, rest);
  },
};

/**
 * Free text nobody else took (lowest priority): a citizen's question. Staff reports are
 * recognised by the reporting feature first.
 */
export const citizenQuestionHandler: FeatureHandler<CitizenServices> = {
  name: 'citizenQuestion',
  priority: -100,
  transactional: false,
  match: (ctx) =>
    typeof ctx.msg.text === 'string' && ctx.msg.text.trim() !== '' && !commandOf(ctx.msg.text),
  async handle(ctx) {
    await answerText(ctx, ctx.msg.text ?? '');
  },
};

export const citizens: Feature<CitizenServices> = {
  name: 'citizens',
  handlers: [citizensHandler, citizenQuestionHandler],
};
