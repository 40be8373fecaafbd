// `npm run migrate`: brings the configured database to the latest schema (`-- down` rolls every migration back).
import { loadConfig, ConfigError } from './config.ts';
import { createDb, migrateLatest, migrateRollbackAll } from './db/db.ts';

try {
  const config = loadConfig(process.env);
  const db = createDb(config.database);
  if (process.argv.includes('down')) await migrateRollbackAll(db);
  else await migrateLatest(db);
  console.log(`Migrations ${process.argv.includes('down') ? 'rolled back' : 'up to date'} on ${config.database.client}.`);
  await db.destroy();
} catch (err) {
  console.error(err instanceof ConfigError ? `Cannot migrate: ${err.message}` : `Cannot migrate: ${(err as Error).message}`);
  process.exit(1);
}
