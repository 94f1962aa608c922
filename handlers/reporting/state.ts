/**
 * The report conversation (`state.flow === 'report'`), registered with the core router through
 * the flow helper: its steps, the button actions each step accepts, and what typed text means
 * on each. The step data is plain JSON in the state store between updates.
 */
import { defineFlow } from '../../src/core/flow.js';
import type { Draft, DraftItem } from './draft.js';
import type { Ctx } from './flow.js';
import * as steps from './steps.js';

export const FLOW = 'report';

/** What to do once the reporter has picked one of several units. */
export type Pending =
  | { kind: 'line'; text: string }
  | { kind: 'guided'; /** periodId, when the period was given (`/baocao T11`) */ period?: string }
  | { kind: 'withdraw'; code: string; period: string };

export type ReportStep =
  | { step: 'pickUnit'; unitIds: string[]; pending: Pending }
  | { step: 'confirm'; draft: Draft }
  | { step: 'edit'; unitId: string }
  | { step: 'period'; unitId: string }
  | {
      step: 'value';
      unitId: string;
      /** periodId */
      period: string;
      codes: string[];
      index: number;
      values: Record<string, DraftItem>;
    }
  | { step: 'withdraw'; unitId: string; code: string; period: string }
  | {
      /** Readings offered behind buttons (a likely reading, or one per candidate indicator). */
      step: 'offer';
      /** The texts the buttons stand for, read again when pressed. */
      texts: string[];
      /** The message as sent, for "Tra cứu thủ tục". */
      query: string;
      unitId?: string;
    };

/**
 * The flow. Button data is `rep:<action>:<token>[:<arg>]`; the helper answers buttons of a
 * finished report as stale and buttons of an earlier step of the report in progress by asking
 * the current question again.
 */
export const reportFlow = defineFlow<import('../../src/services/index.js').AppServices, ReportStep>(
  {
    name: FLOW,
    prefix: 'rep',
    priority: 50,
    steps: {
      pickUnit: {
        actions: { u: (c, d, a) => steps.pickUnit(c, d, a) },
        text: (c, d, t) => steps.flowText(c, d, t),
      },
      confirm: {
        actions: { ok: (c, d) => steps.confirm(c, d), edit: (c, d) => steps.edit(c, d) },
        text: (c, d, t) => steps.flowText(c, d, t),
        reprompt: (c, d) => steps.reprompt(c, d),
      },
      edit: {
        text: (c, d, t) => steps.flowText(c, d, t),
        reprompt: (c, d) => steps.reprompt(c, d),
      },
      period: {
        actions: { p: (c, d, a) => steps.period(c, d, a) },
        text: (c, d, t) => steps.flowText(c, d, t),
        reprompt: (c, d) => steps.reprompt(c, d),
      },
      value: {
        actions: {
          skip: (c, d) => steps.guidedButton(c, d, 'skip'),
          back: (c, d) => steps.guidedButton(c, d, 'back'),
          yes: (c, d) => steps.guidedButton(c, d, 'yes'),
          no: (c, d) => steps.guidedButton(c, d, 'no'),
        },
        text: (c, d, t) => steps.flowText(c, d, t),
        reprompt: (c, d) => steps.reprompt(c, d),
      },
      offer: {
        actions: {
          sg: (c, d) => steps.offer(c, d, 'sg'),
          c: (c, d, a) => steps.offer(c, d, 'c', a),
          q: (c, d) => steps.offer(c, d, 'q'),
        },
        text: (c, d, t) => steps.flowText(c, d, t),
      },
      withdraw: {
        actions: { wok: (c, d) => steps.withdrawOk(c, d) },
        text: (c, d, t) => steps.flowText(c, d, t),
        reprompt: (c, d) => steps.reprompt(c, d),
      },
    },
    common: { x: (c) => steps.cancelButton(c) },
    stale: (c: Ctx) => c.reply({ text: c.t('report.stale') }),
    earlierKey: 'report.earlierStep',
    // An edited report while its confirmation is pending replaces the draft (re-echoed).
    edits: (d) => d.step === 'confirm',
  },
);

export type ReportFlow = typeof reportFlow;
