/**
 * A minimal Pipeline for channel tests: dedupes on (channel, updateId) like the real one
 * (atomically, so concurrent duplicates are caught), answers with `reply(msg)`, and can be
 * switched to fail with InfraError. The real pipeline's end-to-end test is the lead's.
 */
import type { InboundMessage, OutboundReply } from '../../../src/core/message.js';
import { InfraError, type Pipeline, type ProcessResult } from '../../../src/core/pipeline.js';

export interface FakePipeline extends Pipeline {
  received: InboundMessage[];
  /** Messages that took effect (not duplicates). */
  applied: InboundMessage[];
  failWithInfraError: boolean;
}

export function createFakePipeline(
  reply: (msg: InboundMessage) => OutboundReply[] = (m) => [
    { text: `echo: ${m.text ?? m.button ?? m.event ?? ''}` },
  ],
): FakePipeline {
  const seen = new Set<string>();
  const fake: FakePipeline = {
    received: [],
    applied: [],
    failWithInfraError: false,
    async process(msg: InboundMessage): Promise<ProcessResult> {
      fake.received.push(msg);
      // Yield so concurrent requests really interleave.
      await new Promise((r) => setImmediate(r));
      if (fake.failWithInfraError) throw new InfraError('database unavailable');
      const key = `${msg.channel}:${msg.updateId}`;
      if (seen.has(key)) return { status: 'duplicate', replies: [] };
      seen.add(key);
      fake.applied.push(msg);
      return { status: 'processed', replies: reply(msg) };
    },
  };
  return fake;
}
