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
  formatProcedureList,
} from '../../src/citizens/format.js';
import type { CitizenService } from '../../src/citizens/service.js';
import type { CitizensService } from '../../src/services/index.js';
import { fold } from '../../src/text/vietnamese.js';

/**
 * Citizens: which public services are online, found from everyday words. Stateless: every
 * answer carries its own buttons (`svc:…`), so nothing about a citizen is stored beyond what
 * the pipeline keeps for any chat.
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
    svc.updatedAt(),
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
    svc.updatedAt(),
  );
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
    case 'fullyOnlineCommune':
      ctx.reply(fullyOnlineList(ctx, svc, 1));
      return;
    case 'fields':
      ctx.reply(formatFields(svc.fields(), 1, ctx.t));
      return;
    case 'field':
      ctx.reply(fieldList(ctx, svc, a.field.key, 1));
      return;
    case 'hits':
      ctx.reply(formatHits(a.hits, ctx.t, svc.updatedAt()));
      return;
    case 'notFound':
      await ctx.services.citizens.recordUnanswered(text, ctx.now());
      ctx.reply(formatNotFound(text, ctx.t));
      return;
  }
}

function pageOf(s: string | undefined): number {
  const n = Number(s);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** Button data `svc:<kind>[:<arg>[:<page>]]`. */
function answerButton(ctx: Ctx, svc: CitizenService, data: string): OutboundReply {
  const [, kind, arg, page] = data.split(':');
  switch (kind) {
    case 'd': {
      const p = arg ? svc.procedure(arg) : undefined;
      return p
        ? formatDetails(p, ctx.t, svc.updatedAt())
        : { text: ctx.t('citizen.unknownCode', { code: arg ?? '' }) };
    }
    case 'q': {
      const f = arg ? svc.faq(arg) : undefined;
      return f ? formatFaq(f, ctx.t) : intro(ctx);
    }
    case 'no':
      return formatFields(svc.fields(), 1, ctx.t, ctx.t('citizen.notMine'));
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
 * `svc:` button. Its only write (an anonymous "not found" counter) need not commit with the
 * update, so it runs without the update's transaction.
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
      ctx.reply(answerButton(ctx, await ctx.services.citizens.index(), ctx.msg.button));
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
