import type { InboundMessage, OutboundReply } from './message.js';

/**
 * Our own infrastructure failed (database, state store, lock timeout). The HTTP layer answers
 * 503 with Retry-After so the platform redelivers; nothing of the update was applied.
 */
export class InfraError extends Error {
  override readonly name = 'InfraError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface ProcessResult {
  /** 'duplicate': this (channel, updateId) already took effect; send nothing. */
  status: 'processed' | 'duplicate';
  replies: OutboundReply[];
  /** The handler that took the update ('precheck' when none was needed). */
  handler?: string;
  /** The handler failed: rolled back and answered with an apology. */
  failed?: boolean;
  /** Show this chat the command menu of these audiences (see HandlerContext.setMenu). */
  menu?: import('./feature.js').Audience[];
}

/**
 * Runs one inbound message through dedupe (channel, updateId), the per-chat lock, the router
 * and the handler, in one database transaction. Throws InfraError when our side failed.
 * A handler bug is logged with the update id and answered with an apology (status processed).
 */
export interface Pipeline {
  process(msg: InboundMessage): Promise<ProcessResult>;
}
