export { createZaloOaChannel } from './channel.js';
export type { ZaloOaChannel, ZaloOaChannelDeps } from './channel.js';
export { OUTSIDE_WINDOW, createZaloOaClient } from './client.js';
export { zaloOaSignature, verifyZaloOaSignature, ZALO_OA_SIGNATURE_HEADER } from './signature.js';
export { createOaTokenManager } from './tokens.js';
export type { OaTokenManager } from './tokens.js';
export { windowStatus, recordInteraction, lastInteraction } from './window.js';
