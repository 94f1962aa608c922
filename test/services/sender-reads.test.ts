import { describe, expect, it } from 'vitest';
import { createSenderReads } from '../../src/services/sender-reads.js';

const seen = { lastSeenAt: new Date('2026-11-30T08:00:00Z'), unreachableAt: null };

describe("what updates read of their senders' reachability", () => {
  it('is given once, to the same channel and user only', () => {
    const reads = createSenderReads();
    reads.record('telegram', '1', seen);
    expect(reads.take('zalo-bot', '1')).toBeUndefined();
    expect(reads.take('telegram', '2')).toBeUndefined();
    expect(reads.take('telegram', '1')).toEqual(seen);
    expect(reads.take('telegram', '1')).toBeUndefined();
  });

  it('tells an identity that does not exist (null) from one not known (undefined)', () => {
    const reads = createSenderReads();
    reads.record('telegram', 'citizen', null);
    expect(reads.take('telegram', 'citizen')).toBeNull();
    reads.record('telegram', 'linking', null);
    reads.record('telegram', 'linking', undefined); // just linked: forget
    expect(reads.take('telegram', 'linking')).toBeUndefined();
  });

  it('is trusted for a few seconds only', () => {
    let now = 1_000_000;
    const reads = createSenderReads({ maxAgeMs: 10_000, now: () => now });
    reads.record('telegram', '1', seen);
    now += 10_001;
    expect(reads.take('telegram', '1')).toBeUndefined();
  });

  it('keeps a bounded number, forgetting the oldest first', () => {
    const reads = createSenderReads({ max: 2 });
    reads.record('telegram', 'a', seen);
    reads.record('telegram', 'b', seen);
    reads.record('telegram', 'c', seen);
    expect(reads.take('telegram', 'a')).toBeUndefined();
    expect(reads.take('telegram', 'b')).toEqual(seen);
    expect(reads.take('telegram', 'c')).toEqual(seen);
  });
});
