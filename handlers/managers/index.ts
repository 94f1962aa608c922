/**
 * Managers: who has reported (`/tonghop`, `/chuabaocao`, `/donvi`, and the same questions in
 * free text), reminders on demand (`/nhac`) and on the schedule with escalation to managers,
 * self-service (`/moi`, `/mokhoa`) and reminder preferences (`/tatnhac`, `/batnhac`).
 */
import type { Feature, FeatureHandler } from '../../src/core/feature.js';
import { commandArgs, commandOf } from '../../src/core/router.js';
import type { AppServices } from '../../src/services/index.js';
import { broadcastFlow, showDeliveryReport, startBroadcast } from './broadcast.js';
import { remindersJob } from './jobs.js';
import { nhacFlow, startNhac } from './nhac.js';
import { managerOf } from './scope.js';
import { invite, reopen, setReminders } from './self-service.js';
import { answerQuestion, readManagerQuestion, showOwing, showSummary, showUnit } from './status.js';

const args = (text: string | undefined) => commandArgs(text);
const STAFF = ['manager', 'admin'] as const;

const summary: FeatureHandler<AppServices> = {
  name: 'managers.summary',
  priority: 60,
  transactional: false,
  commands: [
    {
      name: 'tonghop',
      aliases: ['summary', 'tinhhinh'],
      audience: [...STAFF],
      description: 'managers.commands.tonghop',
    },
  ],
  handle: (ctx) => showSummary(ctx, args(ctx.msg.text)),
};

const owing: FeatureHandler<AppServices> = {
  name: 'managers.owing',
  priority: 60,
  transactional: false,
  commands: [
    {
      name: 'chuabaocao',
      aliases: ['missing', 'cbc'],
      audience: [...STAFF],
      description: 'managers.commands.chuabaocao',
    },
  ],
  handle: (ctx) => showOwing(ctx, args(ctx.msg.text)),
};

const unit: FeatureHandler<AppServices> = {
  name: 'managers.unit',
  priority: 60,
  transactional: false,
  commands: [
    {
      name: 'donvi',
      aliases: ['unit'],
      audience: [...STAFF],
      description: 'managers.commands.donvi',
    },
  ],
  handle: (ctx) => showUnit(ctx, args(ctx.msg.text)),
};

const nhac: FeatureHandler<AppServices> = {
  name: 'managers.nhac',
  priority: 60,
  transactional: false,
  commands: [
    {
      name: 'nhac',
      aliases: ['remind'],
      audience: [...STAFF],
      description: 'managers.commands.nhac',
    },
  ],
  handle: (ctx) => startNhac(ctx, args(ctx.msg.text)),
};

const selfService: FeatureHandler<AppServices> = {
  name: 'managers.self',
  priority: 60,
  commands: [
    {
      name: 'moi',
      aliases: ['invite'],
      audience: [...STAFF],
      description: 'managers.commands.moi',
    },
    {
      name: 'mokhoa',
      aliases: ['reopen'],
      audience: [...STAFF],
      description: 'managers.commands.mokhoa',
    },
  ],
  handle: async (ctx) => {
    const cmd = commandOf(ctx.msg.text);
    if (cmd === '/moi' || cmd === '/invite') return invite(ctx, args(ctx.msg.text));
    return reopen(ctx, args(ctx.msg.text));
  },
};

const prefs: FeatureHandler<AppServices> = {
  name: 'managers.prefs',
  priority: 60,
  commands: [
    {
      name: 'tatnhac',
      aliases: ['mute'],
      audience: ['reporter', ...STAFF],
      description: 'managers.commands.tatnhac',
    },
    {
      name: 'batnhac',
      aliases: ['unmute'],
      audience: ['reporter', ...STAFF],
      description: 'managers.commands.batnhac',
    },
  ],
  handle: async (ctx) => {
    const cmd = commandOf(ctx.msg.text);
    return setReminders(ctx, args(ctx.msg.text), cmd === '/tatnhac' || cmd === '/mute');
  },
};

const broadcast: FeatureHandler<AppServices> = {
  name: 'managers.broadcast',
  priority: 60,
  transactional: false,
  commands: [
    {
      name: 'thongbao',
      aliases: ['broadcast'],
      audience: [...STAFF],
      description: 'managers.commands.thongbao',
    },
    {
      name: 'baocaogui',
      aliases: ['delivery'],
      audience: [...STAFF],
      description: 'managers.commands.baocaogui',
    },
  ],
  handle: async (ctx) => {
    const cmd = commandOf(ctx.msg.text);
    if (cmd === '/thongbao' || cmd === '/broadcast') return startBroadcast(ctx, args(ctx.msg.text));
    return showDeliveryReport(ctx, args(ctx.msg.text));
  },
};

/**
 * A manager's question in free text ("đơn vị nào chưa báo cáo", "tình hình báo cáo tháng 11",
 * "xã Thạch Hà báo cáo chưa"): above the reporting feature's free-text reading and far above
 * the citizens' catch-all, but only for managers and admins — a citizen asking the same
 * words keeps the public-service search.
 */
const question: FeatureHandler<AppServices> = {
  name: 'managers.question',
  priority: 55,
  transactional: false,
  async match(ctx) {
    const text = ctx.msg.text;
    if (!text || commandOf(text) || !readManagerQuestion(text, ctx.now())) return false;
    return (await managerOf(ctx)) !== undefined;
  },
  async handle(ctx) {
    const q = readManagerQuestion(ctx.msg.text ?? '', ctx.now());
    if (q) await answerQuestion(ctx, q);
  },
};

export const managers: Feature<AppServices> = {
  name: 'managers',
  handlers: [
    summary,
    owing,
    unit,
    nhac,
    nhacFlow.handler,
    selfService,
    prefs,
    broadcast,
    broadcastFlow.handler,
    question,
  ],
  jobs: [remindersJob],
};
