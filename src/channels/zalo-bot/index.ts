export { createZaloBotChannel, ZALO_BOT_SECRET_HEADER } from './channel.js';
export type { ZaloBotChannel, ZaloBotChannelDeps } from './channel.js';
export { createZaloBotClient } from './client.js';
export type { ZaloBotClient } from './client.js';
export { createMemoryOptionsStore, matchOption, renderWithOptions } from './options.js';
export type { OptionsStore } from './options.js';
export { parseZaloBotUpdate } from './update.js';
