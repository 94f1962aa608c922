import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createOaTokenManager } from '../../src/channels/zalo-oa/index.js';
import { createSecretBox, deriveKey } from '../../src/db/secret-box.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

const SECRET = 'test-token-key-0123456789abcdefghijkl';
const NEW_SECRET = 'rotated-token-key-0123456789abcdefghi';

describe('secret box (AES-256-GCM, known answers)', () => {
  it('derives the key with HKDF-SHA256 (salt cds-bot, info "token-encryption v1")', () => {
    // openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt key:test-token-key-0123456789abcdefghijkl
    //   -kdfopt salt:cds-bot -kdfopt "info:token-encryption v1" HKDF
    expect(deriveKey(SECRET).toString('hex')).toBe(
      'f1c943b993710648bbced5e5d61ccc5ba9624fee1ad934fb54413da1f18c2645',
    );
  });

  it('opens a value sealed outside the project', () => {
    // python3 with cryptography: AESGCM(key).encrypt(iv=000102…0b, b"AT-known-answer",
    //   aad=b"oa_token.access_token"); key id = sha256(key)[:8], parts base64url without '='
    const sealed = 'enc:v1:cf761999:AAECAwQFBgcICQoL:B5irvSdwJw3Y1lMNod3M:_8QmgwsGdAVyic2jSe10EQ';
    const box = createSecretBox(SECRET);
    expect(box.open(sealed, 'oa_token.access_token')).toBe('AT-known-answer');
    // Another column (additional data) or a changed byte does not open.
    expect(() => box.open(sealed, 'oa_token.refresh_token')).toThrow();
    expect(() => box.open(sealed.replace(':B5i', ':C5i'), 'oa_token.access_token')).toThrow();
    expect(box.needsReseal(sealed)).toBe(false);
  });

  it('seals with a fresh IV each time and reopens', () => {
    const box = createSecretBox(SECRET);
    const a = box.seal('secret', 'col');
    expect(a).not.toBe(box.seal('secret', 'col'));
    expect(a).not.toContain('secret');
    expect(box.open(a, 'col')).toBe('secret');
  });

  it('rotates: the previous key still opens, and values need sealing again', () => {
    const old = createSecretBox(SECRET).seal('v', 'col');
    const rotated = createSecretBox(NEW_SECRET, [SECRET]);
    expect(rotated.open(old, 'col')).toBe('v');
    expect(rotated.needsReseal(old)).toBe(true);
    expect(() => createSecretBox(NEW_SECRET).open(old, 'col')).toThrow(/unknown key/);
  });
});

describe('Zalo OA tokens at rest', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  }, 120_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  const manager = (secret: string, previous: string[] = []) =>
    createOaTokenManager({
      prisma: t.db.prisma,
      logger: pino({ level: 'silent' }),
      appId: '1',
      appSecret: 's',
      oauthRoot: 'http://127.0.0.1:9',
      box: createSecretBox(secret, previous),
    });

  it('encrypts a plain row at first start, reads it back, and re-encrypts after rotation', async () => {
    await t.db.prisma.oaToken.create({
      data: {
        id: 1,
        accessToken: 'AT-plain',
        refreshToken: 'RT-plain',
        expiresAt: new Date(Date.now() + 24 * 3600_000),
      },
    });
    const m = manager(SECRET);
    expect(await m.reseal()).toBe(true);
    const row = await t.db.prisma.oaToken.findUniqueOrThrow({ where: { id: 1 } });
    expect(row.accessToken).toMatch(/^enc:v1:/);
    expect(row.refreshToken).toMatch(/^enc:v1:/);
    expect(`${row.accessToken}${row.refreshToken}`).not.toContain('plain');
    expect(await m.getAccessToken()).toBe('AT-plain');
    expect(await m.reseal()).toBe(false);

    const rotated = manager(NEW_SECRET, [SECRET]);
    expect(await rotated.reseal()).toBe(true);
    expect(await manager(NEW_SECRET).getAccessToken()).toBe('AT-plain');
  });
});
