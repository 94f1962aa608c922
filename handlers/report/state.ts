/**
 * The report conversation's state (`state.flow === 'report'`), kept as plain JSON in the
 * state store between updates. Every step carries a nonce; buttons carry it too, so a button
 * pressed on an old message (another draft, a finished flow) is recognised as stale.
 */
import type { ConversationState, HandlerContext } from '../../src/core/handler.js';
import type { Draft, DraftItem } from './draft.js';

export const FLOW = 'report';

/** What to do once the reporter has picked one of several units. */
export type Pending =
  | { kind: 'line'; text: string }
  | { kind: 'guided' }
  | { kind: 'withdraw'; code: string; period: string };

export type ReportStep =
  | { step: 'pickUnit'; nonce: string; unitIds: string[]; pending: Pending }
  | { step: 'confirm'; nonce: string; draft: Draft }
  | { step: 'edit'; nonce: string; unitId: string }
  | { step: 'period'; nonce: string; unitId: string }
  | {
      step: 'value';
      nonce: string;
      unitId: string;
      /** periodId */
      period: string;
      codes: string[];
      index: number;
      values: Record<string, DraftItem>;
    }
  | { step: 'withdraw'; nonce: string; unitId: string; code: string; period: string }
  | {
      /** Readings offered behind buttons (a likely reading, or one per candidate indicator). */
      step: 'offer';
      nonce: string;
      /** The texts the buttons stand for, read again when pressed. */
      texts: string[];
      /** The message as sent, for "Tra cứu thủ tục". */
      query: string;
      unitId?: string;
    };

const STEPS = new Set(['pickUnit', 'confirm', 'edit', 'period', 'value', 'withdraw', 'offer']);

/** This flow's step, or undefined when the chat is not in it (or the data is unusable). */
export function readStep(state: ConversationState): ReportStep | undefined {
  if (state.flow !== FLOW || !state.data) return undefined;
  const d = state.data as Partial<ReportStep>;
  if (typeof d.step !== 'string' || !STEPS.has(d.step) || typeof d.nonce !== 'string')
    return undefined;
  return d as ReportStep;
}

/** Enter or move within the flow (keeps the chosen locale). */
export function writeStep(ctx: HandlerContext<unknown>, next: ReportStep): void {
  ctx.setState({
    ...(ctx.state.locale ? { locale: ctx.state.locale } : {}),
    flow: FLOW,
    step: next.step,
    data: next as unknown as Record<string, unknown>,
  });
}

/** Leave the flow (only when the chat is in it: never clear another handler's flow). */
export function endFlow(ctx: HandlerContext<unknown>): void {
  if (ctx.state.flow === FLOW) ctx.setState(null);
}
