/**
 * Secrets the server needs at rest (the invitation code pepper, the token encryption key):
 * from the environment, or — on the embedded database only, where one process owns DATA_DIR —
 * generated once into `DATA_DIR/secrets/<name>` (directory 0700, file 0600) and read back on
 * every start. Unlike `runtime.json` these files are never removed: losing the pepper
 * invalidates every outstanding invitation code, losing the key every stored token.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SECRETS_DIR = 'secrets';
export type SecretName = 'invite-code-pepper' | 'token-encryption-key';

export function secretFilePath(dataDir: string, name: SecretName): string {
  return path.join(dataDir, SECRETS_DIR, name);
}

/**
 * The configured value, else the one stored in DATA_DIR, else a fresh one (32 random bytes,
 * base64url) written there with mode 0600.
 */
export function loadOrCreateSecret(
  dataDir: string,
  name: SecretName,
  configured: string | undefined,
): { value: string; source: 'environment' | 'file' | 'generated' } {
  if (configured) return { value: configured, source: 'environment' };
  const file = secretFilePath(dataDir, name);
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value.length >= 32) {
      chmodSync(file, 0o600);
      return { value, source: 'file' };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const value = randomBytes(32).toString('base64url');
  // 'wx': two processes racing cannot both write (the loser reads the winner's).
  try {
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return loadOrCreateSecret(dataDir, name, undefined);
    throw err;
  }
  chmodSync(file, 0o600);
  return { value, source: 'generated' };
}
