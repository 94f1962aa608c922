import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compare a received secret with the expected one in constant time. Both sides are hashed
 * first so neither the content nor the length of the secret leaks through timing.
 */
export function safeEqual(received: string | undefined, expected: string): boolean {
  if (received === undefined) return false;
  const a = createHash('sha256').update(received, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && received.length === expected.length;
}
