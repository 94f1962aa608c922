/**
 * Encryption of secrets stored in the database (the Zalo OA access and refresh tokens):
 * AES-256-GCM with a key derived by HKDF-SHA256 from TOKEN_ENCRYPTION_KEY, a fresh 96-bit IV
 * per value and the column name as additional data (a value copied to another column does not
 * open). Stored form: `enc:v1:<key id>:<iv>:<ciphertext>:<tag>` (base64url; the key id is the
 * first 8 hex digits of SHA-256 of the derived key, so a value names the key that sealed it).
 *
 * Rotation: start with TOKEN_ENCRYPTION_KEY=<new> and TOKEN_ENCRYPTION_KEY_PREVIOUS=<old>;
 * values sealed with the old key still open, and are sealed again with the new one at start.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

export interface SecretBox {
  /** Seal a value for the column `aad` with the current key. */
  seal(plain: string, aad: string): string;
  /**
   * The plain value of a stored one. A value that is not sealed (stored before encryption)
   * is returned as is. @throws Error when sealed with an unknown key or tampered with.
   */
  open(stored: string, aad: string): string;
  /** Not sealed, or sealed with a previous key: seal it again. */
  needsReseal(stored: string): boolean;
}

/** The AES-256 key derived from a configured secret. */
export function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'cds-bot', 'token-encryption v1', 32));
}

const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

export function createSecretBox(current: string, previous: readonly string[] = []): SecretBox {
  const keys = new Map<string, Buffer>();
  const currentKey = deriveKey(current);
  const currentId = keyId(currentKey);
  for (const s of previous) {
    const k = deriveKey(s);
    keys.set(keyId(k), k);
  }
  keys.set(currentId, currentKey);
  return {
    seal(plain, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `${PREFIX}${currentId}:${[iv, ct, tag].map((b) => b.toString('base64url')).join(':')}`;
    },
    open(stored, aad) {
      if (!stored.startsWith(PREFIX)) return stored;
      const [id = '', iv = '', ct = '', tag = ''] = stored.slice(PREFIX.length).split(':');
      const key = keys.get(id);
      if (!key)
        throw new Error(
          `stored secret sealed with an unknown key (${id}): set TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEY_PREVIOUS`,
        );
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ct, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
    needsReseal(stored) {
      return !stored.startsWith(`${PREFIX}${currentId}:`);
    },
  };
}
