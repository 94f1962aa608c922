/**
 * Zalo OA webhook signature: `X-ZEvent-Signature: mac=<hex>` where hex = SHA-256 (plain, not
 * HMAC) of app_id + raw body + timestamp + OA secret key. The raw bytes are hashed exactly as
 * received; re-serialised JSON would not match.
 */
import { createHash } from 'node:crypto';
import { safeEqual } from '../webhook.js';

export const ZALO_OA_SIGNATURE_HEADER = 'x-zevent-signature';

/** The header value Zalo would send for this body. */
export function zaloOaSignature(
  appId: string,
  rawBody: Buffer,
  timestamp: string,
  secretKey: string,
): string {
  // Strings are hashed as UTF-8, Node's default encoding for `update`.
  const hash = createHash('sha256').update(appId).update(rawBody).update(timestamp);
  return `mac=${hash.update(secretKey).digest('hex')}`;
}

/** Constant-time check of a received header against the expected signature. */
export function verifyZaloOaSignature(
  header: string | undefined,
  appId: string,
  rawBody: Buffer,
  timestamp: string,
  secretKey: string,
): boolean {
  if (!header) return false;
  return safeEqual(
    header.trim().toLowerCase(),
    zaloOaSignature(appId, rawBody, timestamp, secretKey),
  );
}
