export { createTelegramChannel, TELEGRAM_SECRET_HEADER } from './channel.js';
export type { TelegramChannel, TelegramChannelDeps } from './channel.js';
export { parseTelegramUpdate, ALLOWED_UPDATES } from './update.js';
export { toDeliveryError as telegramDeliveryError } from './api.js';
