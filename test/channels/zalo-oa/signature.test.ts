/**
 * Known answers computed outside the project, so a change of the algorithm (order of the
 * parts, HMAC instead of a plain hash, hex case) fails here.
 */
import { describe, expect, it } from 'vitest';
import { verifyZaloOaSignature, zaloOaSignature } from '../../../src/channels/zalo-oa/index.js';

const APP_ID = '4301234567890123456';
const TIMESTAMP = '1764650000000';
const KEY = 'oa-webhook-secret-key';
const BODY = `{"app_id":"${APP_ID}","event_name":"user_send_text","timestamp":"${TIMESTAMP}","sender":{"id":"77"},"message":{"text":"xin chào","msg_id":"m1"}}`;
// printf %s "$APP_ID$BODY$TIMESTAMP$KEY" | sha256sum
const MAC = '5996ca4bf17c2fb57a9d5a37dea796129b7b15ce1a3a5638d991d1945b1f3c8d';

describe('Zalo OA signature (known answer)', () => {
  it('is SHA-256 of app id + raw body + timestamp + secret key, hex', () => {
    expect(zaloOaSignature(APP_ID, Buffer.from(BODY, 'utf8'), TIMESTAMP, KEY)).toBe(`mac=${MAC}`);
  });

  it('hashes the text parts as UTF-8 bytes', () => {
    // KEY='khóa-bí-mật'; printf %s "$APP_ID$BODY$TIMESTAMP$KEY" | sha256sum   (LANG=C.UTF-8)
    const mac = 'eaefcd18b1bc00cd59db7353fe4dcd5a420bb2086cfebaf73396ae0d09dbb6b7';
    const raw = Buffer.from(BODY, 'utf8');
    expect(zaloOaSignature(APP_ID, raw, TIMESTAMP, 'khóa-bí-mật')).toBe(`mac=${mac}`);
  });

  it('verifies the header Zalo sends and nothing else', () => {
    const raw = Buffer.from(BODY, 'utf8');
    expect(verifyZaloOaSignature(`mac=${MAC}`, APP_ID, raw, TIMESTAMP, KEY)).toBe(true);
    expect(verifyZaloOaSignature(`mac=${MAC.toUpperCase()}`, APP_ID, raw, TIMESTAMP, KEY)).toBe(
      true,
    );
    const swapped = `mac=${MAC.slice(1)}0`;
    expect(verifyZaloOaSignature(swapped, APP_ID, raw, TIMESTAMP, KEY)).toBe(false);
    expect(verifyZaloOaSignature(`mac=${MAC}`, APP_ID, raw, '1764650000001', KEY)).toBe(false);
  });
});
