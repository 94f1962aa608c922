import type { CitizenService } from './citizens/service.js';
import type { Config } from './config.js';
import type { DbClient } from './db/client.js';
import type { StateStore } from './state/store.js';

/**
 * What handlers get in `ctx.services`: the domain, bound to the update's database
 * transaction. Built per update by src/app.ts; handlers never see a chat platform.
 */
export interface AppServices {
  /** The transaction this update runs in. */
  db: DbClient;
  config: Config;
  store: StateStore;
  /** Public-service search (index in memory, rebuilt after `import services`). */
  citizens: CitizenService;
}
