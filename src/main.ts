import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

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
  const app = await createApp(config);
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
