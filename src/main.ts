import module from 'node:module';
import { ConfigError, loadConfig } from './config.js';
import { preloadPglite } from './db/pglite-preload.js';

/** Process entry point: config, app, signals. `npm start` runs this. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  // Node ≥ 22.1 (the production runtime): V8's compiled code of the modules is cached on disk
  // (NODE_COMPILE_CACHE, else the OS temp folder), so a restart compiles less.
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  // The embedded engine compiles on V8's background threads while the app's modules load.
  const pglitePreload = config.databaseUrl ? undefined : preloadPglite();
  const { createApp } = await import('./app.js');
  const app = await createApp(config, pglitePreload ? { pglitePreload } : {});
  await app.start();
  if (config.simulator) {
    console.log(`\n  cds-bot is running. Web chat simulator: ${app.url}/sim\n`);
  }
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) {
      app.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    app.logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        app.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('cds-bot failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
