import type { Router } from 'express';
import type { ChannelName, OutboundMessage } from '../core/message.js';

/**
 * A delivery failed. `permanent` (blocked by the user, chat not found, outside the Zalo OA
 * window) is never retried; otherwise the queue retries with backoff, honouring retryAfterMs.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown; unreachable?: boolean },
  ) {
    super(message, options);
    this.unreachable = options?.unreachable === true;
  }
  /** The recipient blocked the bot (or left): mark their identity unreachable. */
  readonly unreachable: boolean;
}

/**
 * One chat platform behind our own adapter. Inbound updates enter through `router`
 * (mounted by the server at /webhooks/<name>, the simulator at /sim) and go to the Pipeline;
 * replies to them are sent directly; proactive messages go through the delivery queue, which
 * calls `send`.
 */
export interface Channel {
  readonly name: ChannelName;
  readonly router?: Router;
  /** Text length and pacing of the platform (the delivery queue's limiter table). */
  readonly limits?: import('./adapter.js').PlatformLimits;
  /** Called once the HTTP server is listening and ready (register webhooks, start polling). */
  start?(): Promise<void>;
  /** Stop polling / timers. */
  stop?(): Promise<void>;
  /** Deliver one proactive message. Throws DeliveryError. */
  send(msg: OutboundMessage): Promise<void>;
}
