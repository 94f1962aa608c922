/**
 * Invitation codes: 8 characters of Crockford base32 (no I, L, O, U), shown as `ABCD-EFGH`.
 * 40 random bits from the OS CSPRNG, with failed attempts rate-limited per identity, make
 * guessing hopeless; people can type them on a phone, and the common confusions (O/0, I/L/1,
 * lower case, spaces, dashes) are folded away before hashing. Only a keyed hash is stored.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 8;

/** A fresh random code, grouped for reading: e.g. `7KQ2-M9XD`. */
export function generateInviteCode(): string {
  const bytes = randomBytes(5); // exactly 40 bits -> 8 base32 symbols
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = CODE_LENGTH - 1; i >= 0; i--) {
    out += CODE_ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  }
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/**
 * Canonical form of a typed code (upper case, separators dropped, O->0, I/L->1), or null when
 * it cannot be a code at all (so a typo is rejected without touching the database).
 */
export function normalizeInviteCode(typed: string): string | null {
  const s = typed
    .toUpperCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (s.length !== CODE_LENGTH) return null;
  for (const ch of s) if (!CODE_ALPHABET.includes(ch)) return null;
  return s;
}

/** `invitation.hash_version` of codes hashed without a pepper (made before INVITE_CODE_PEPPER). */
export const LEGACY_HASH_VERSION = 1;
/** `invitation.hash_version` of codes hashed with the configured pepper. */
export const CURRENT_HASH_VERSION = 2;

/**
 * Keyed hash stored in `invitation.code_hash`: HMAC-SHA256 of the normalized code with the key
 * `cds-invite:<pepper>` (version 2; version 1 is the same with an empty pepper). The pepper
 * (configuration, not in the database) keeps a stolen database from being brute-forced
 * offline over the 2^40 codes.
 */
export function hashInviteCode(normalized: string, pepper = ''): string {
  return createHmac('sha256', `cds-invite:${pepper}`).update(normalized).digest('hex');
}
