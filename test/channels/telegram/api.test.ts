import { describe, expect, it } from 'vitest';
import { createTelegramClient, sendTelegramReply } from '../../../src/channels/telegram/api.js';
import { DeliveryError } from '../../../src/channels/types.js';
import { startFakeBotApi } from '../fakes/bot-api.js';

describe('Telegram replies', () => {
  it('refuses button data over Telegram’s 64 bytes as a permanent failure, sending nothing', async () => {
    const api = await startFakeBotApi();
    try {
      const telegram = createTelegramClient('1:T', api.url);
      // 22 characters of Vietnamese with marks are more than 64 bytes in UTF-8.
      const data = 'rep:ok:' + 'đồng ý xác nhận báo cáo'.repeat(3);
      expect(Buffer.byteLength(data)).toBeGreaterThan(64);
      const e = await sendTelegramReply(telegram, '1', {
        text: 'x',
        buttons: [[{ label: 'OK', data }]],
      }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(DeliveryError);
      expect(e).toMatchObject({ permanent: true });
      expect(api.of('sendMessage')).toHaveLength(0);
      // Exactly 64 bytes is allowed.
      await sendTelegramReply(telegram, '1', {
        text: 'x',
        buttons: [[{ label: 'OK', data: 'x'.repeat(64) }]],
      });
      expect(api.of('sendMessage')).toHaveLength(1);
    } finally {
      await api.close();
    }
  });
});
