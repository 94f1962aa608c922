/**
 * All three platform fakes for a whole-app test (Telegram Bot API, Zalo Bot API, Zalo OA API
 * and its OAuth server, on loopback), the app environment that points at them, and the
 * signed webhook bodies of a user's text on Zalo Bot and Zalo OA.
 */
import { zaloOaSignature } from '../../../src/channels/zalo-oa/index.js';
import { startFakeBotApi, type FakeBotApi } from './bot-api.js';
import { startFakeZaloOa, type FakeZaloOa } from './zalo-oa-api.js';

export const TG_SECRET = 'tg_secret-1';
export const ZB_SECRET = 'zalo-bot-secret-1';
export const OA = { appId: '3311223344', secretKey: 'oa-secret-key', appSecret: 'app-secret' };

export interface PlatformFakes {
  tg: FakeBotApi;
  zb: FakeBotApi;
  oa: FakeZaloOa;
  /** The app's environment: every platform on its fake, webhook mode, simulator on. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startPlatformFakes(): Promise<PlatformFakes> {
  const [tg, zb, oa] = await Promise.all([startFakeBotApi(), startFakeBotApi(), startFakeZaloOa()]);
  oa.validAccessTokens.add('AT-env');
  oa.validRefreshTokens.add('RT-env');
  return {
    tg,
    zb,
    oa,
    env: {
      PUBLIC_URL: 'https://cds-bot.example.test',
      // With PUBLIC_URL the simulator is off unless asked for.
      SIMULATOR: 'on',
      TELEGRAM_BOT_TOKEN: '111:TG',
      TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
      TELEGRAM_API_ROOT: tg.url,
      ZALO_BOT_TOKEN: '222:ZB',
      ZALO_BOT_WEBHOOK_SECRET: ZB_SECRET,
      ZALO_BOT_API_ROOT: zb.url,
      ZALO_OA_APP_ID: OA.appId,
      ZALO_OA_SECRET_KEY: OA.secretKey,
      ZALO_APP_SECRET: OA.appSecret,
      ZALO_OA_ACCESS_TOKEN: 'AT-env',
      ZALO_OA_REFRESH_TOKEN: 'RT-env',
      ZALO_OA_API_ROOT: oa.url,
      ZALO_OAUTH_ROOT: oa.url,
    },
    close: async () => {
      await Promise.all([tg.close(), zb.close(), oa.close()]);
    },
  };
}

/** A Zalo Bot webhook body: `text` from the user `chatId` in a private chat. */
export function zaloBotText(chatId: string, text: string, messageId: string): string {
  return JSON.stringify({
    ok: true,
    result: {
      event_name: 'message.text.received',
      message: {
        message_id: messageId,
        date: Date.now(),
        chat: { id: chatId, chat_type: 'PRIVATE' },
        from: { id: chatId, display_name: 'Hoa', is_bot: false },
        text,
      },
    },
  });
}

/** A signed Zalo OA `user_send_text` event: the raw body and its signature header. */
export function zaloOaText(
  userId: string,
  text: string,
  msgId: string,
): { raw: string; headers: Record<string, string> } {
  const ts = String(Date.now());
  const raw = `{"app_id":"${OA.appId}","user_id_by_app":"55","event_name":"user_send_text","timestamp":"${ts}","sender":{"id":"${userId}"},"recipient":{"id":"579745863508352884"},"message":{"text":${JSON.stringify(text)},"msg_id":"${msgId}"}}`;
  return {
    raw,
    headers: {
      'x-zevent-signature': zaloOaSignature(OA.appId, Buffer.from(raw), ts, OA.secretKey),
    },
  };
}
