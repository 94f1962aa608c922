/**
 * Multi-step conversations ("flows") registered with the router: a flow owns a state name and
 * a button prefix, declares its steps, and for each step the button actions it accepts and
 * what typed text means there. The router sends every button with the prefix and every text
 * typed while the chat is in the flow to it; this helper checks that a button belongs to the
 * step in progress and dispatches — so no feature routes a second time over its button data.
 *
 * Every button carries a token `<nonce>.<seq>`: the nonce names one run of the flow, the
 * sequence number its step. A button of a finished run is answered as stale; a button of an
 * earlier step of the run still in progress says so and asks the current question again
 * (never acts on the old step).
 */
import { randomBytes } from 'node:crypto';
import type { FeatureHandler } from './feature.js';
import type { ConversationState, HandlerContext } from './handler.js';
import type { Button } from './message.js';
import { commandOf } from './router.js';

/** What every step's data has: its name. The helper adds the token. */
export interface StepData {
  step: string;
}

type Stored<D> = D & { nonce: string; seq: number };

type Action<S, D> = (ctx: HandlerContext<S>, data: D, arg: string | undefined) => Promise<void>;

export interface FlowStep<S, D> {
  /** Button actions of this step, by action name. */
  actions?: Record<string, Action<S, D>>;
  /** Text typed while the flow is on this step. */
  text?(ctx: HandlerContext<S>, data: D, text: string): Promise<void>;
  /** Ask this step's question again; false when it cannot be (the flow then ends). */
  reprompt?(ctx: HandlerContext<S>, data: D): Promise<boolean>;
}

export interface FlowSpec<S, D extends StepData> {
  /** `state.flow` while the chat is in it. */
  name: string;
  /** Button data prefix, without the colon (`rep` → `rep:ok:<token>`). */
  prefix: string;
  priority: number;
  transactional?: FeatureHandler<S>['transactional'];
  steps: { [K in D['step']]: FlowStep<S, Extract<D, { step: K }>> };
  /** Actions every step accepts (cancel), checked before the step's own. */
  common?: Record<string, Action<S, D>>;
  /** Runs before a step's own action or text (not before `common`); false stops there. */
  guard?(ctx: HandlerContext<S>, data: D): Promise<boolean>;
  /** A button of a run that is over, or data that does not fit the step. */
  stale(ctx: HandlerContext<S>): void | Promise<void>;
  /** A button of an earlier step of the run in progress (default: a note, then reprompt). */
  earlier?(ctx: HandlerContext<S>, data: D): Promise<void>;
  /** Locale key of the default note for an earlier step's button. */
  earlierKey?: string;
  /** Does the step in progress take an edited message (routed as a new one)? Default: no. */
  edits?(data: D): boolean;
}

export interface Flow<S, D extends StepData> {
  readonly name: string;
  readonly prefix: string;
  /** The handler to list in the feature: owns the prefix and the flow name. */
  readonly handler: FeatureHandler<S>;
  /** The step in progress, or undefined when the chat is not in this flow. */
  read(state: ConversationState): D | undefined;
  /**
   * Enter or move within the flow (keeps the chosen locale) and return the token for this
   * step's buttons. Staying in a run keeps its nonce and advances the step number, so every
   * button of an earlier step is retired.
   */
  go(ctx: HandlerContext<S>, data: D): string;
  /** Leave the flow (only when the chat is in it: never clear another flow). */
  end(ctx: HandlerContext<S>): void;
  /** The token of the step in progress (to offer its buttons again without moving on). */
  token(ctx: HandlerContext<S>): string | undefined;
  /** A button of the step whose token is given. Data stays within Telegram's 64 bytes. */
  button(label: string, action: string, token: string, arg?: string): Button;
  /** Ask the current step again (resume after an interruption); false when it cannot be. */
  reprompt(ctx: HandlerContext<S>): Promise<boolean>;
}

/** A short random run id. */
export function newNonce(): string {
  return randomBytes(4).toString('hex');
}

const MAX_BUTTON_DATA = 64;

export function defineFlow<S, D extends StepData>(spec: FlowSpec<S, D>): Flow<S, D> {
  // The token written during this update, so two moves in one update keep counting.
  const written = new WeakMap<object, { nonce: string; seq: number }>();

  const readStored = (state: ConversationState): Stored<D> | undefined => {
    if (state.flow !== spec.name || !state.data) return undefined;
    const d = state.data as Partial<Stored<D>>;
    if (
      typeof d.step !== 'string' ||
      !(d.step in spec.steps) ||
      typeof d.nonce !== 'string' ||
      typeof d.seq !== 'number'
    )
      return undefined;
    return d as Stored<D>;
  };
  const strip = (s: Stored<D>): D => {
    const { nonce: _n, seq: _s, ...rest } = s;
    return rest as unknown as D;
  };
  const stepOf = (data: D) =>
    (spec.steps as unknown as Record<string, FlowStep<S, D> | undefined>)[data.step];

  const flow: Flow<S, D> = {
    name: spec.name,
    prefix: spec.prefix,
    read: (state) => {
      const s = readStored(state);
      return s ? strip(s) : undefined;
    },
    go(ctx, data) {
      const last = written.get(ctx) ?? readStored(ctx.state);
      const token = last ? { nonce: last.nonce, seq: last.seq + 1 } : { nonce: newNonce(), seq: 0 };
      written.set(ctx, token);
      ctx.setState({
        ...(ctx.state.locale ? { locale: ctx.state.locale } : {}),
        flow: spec.name,
        step: data.step,
        data: { ...data, ...token } as unknown as Record<string, unknown>,
      });
      return `${token.nonce}.${token.seq}`;
    },
    token(ctx) {
      const t = written.get(ctx) ?? readStored(ctx.state);
      return t ? `${t.nonce}.${t.seq}` : undefined;
    },
    end(ctx) {
      if (ctx.state.flow === spec.name || written.has(ctx)) {
        written.delete(ctx);
        ctx.setState(null);
      }
    },
    button(label, action, token, arg) {
      const data = `${spec.prefix}:${action}:${token}${arg === undefined ? '' : `:${arg}`}`;
      if (Buffer.byteLength(data) > MAX_BUTTON_DATA)
        throw new Error(`button data over ${MAX_BUTTON_DATA} bytes: ${data}`);
      return { label, data };
    },
    async reprompt(ctx) {
      const current = flow.read(ctx.state);
      const step = current ? stepOf(current) : undefined;
      if (!current || !step?.reprompt) return false;
      return step.reprompt(ctx, current);
    },
    handler: {
      name: `${spec.name}.flow`,
      priority: spec.priority,
      buttons: [`${spec.prefix}:`],
      flows: [spec.name],
      ...(spec.transactional !== undefined ? { transactional: spec.transactional } : {}),
      edits(state) {
        const s = readStored(state);
        return !!s && !!spec.edits?.(strip(s));
      },
      async handle(ctx) {
        const stored = readStored(ctx.state);
        if (ctx.msg.button !== undefined) {
          const [, action = '', token = '', ...rest] = ctx.msg.button.split(':');
          const arg = rest.length > 0 ? rest.join(':') : undefined;
          const [nonce, seqText] = token.split('.');
          if (!stored || stored.nonce !== nonce) return void (await spec.stale(ctx));
          const data = strip(stored);
          if (String(stored.seq) !== seqText) {
            if (spec.earlier) return spec.earlier(ctx, data);
            if (spec.earlierKey) ctx.reply({ text: ctx.t(spec.earlierKey) });
            if (!(await flow.reprompt(ctx))) {
              flow.end(ctx);
              await spec.stale(ctx);
            }
            return;
          }
          const common = spec.common?.[action];
          if (common) return common(ctx, data, arg);
          const own = stepOf(data)?.actions?.[action];
          if (!own) return void (await spec.stale(ctx));
          if (spec.guard && !(await spec.guard(ctx, data))) return;
          return own(ctx, data, arg);
        }
        const text = ctx.msg.text ?? '';
        if (!stored || commandOf(text)) return void (await spec.stale(ctx));
        const data = strip(stored);
        const step = stepOf(data);
        if (spec.guard && !(await spec.guard(ctx, data))) return;
        if (step?.text) return step.text(ctx, data, text);
        if (!(await flow.reprompt(ctx))) {
          flow.end(ctx);
          await spec.stale(ctx);
        }
      },
    },
  };
  return flow;
}
