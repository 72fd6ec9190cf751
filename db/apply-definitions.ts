// graphile-migrate's hook (.gmrc afterAllMigrations / afterCurrent): after its own
// migrate, commit or watch has run the migrations, apply what `wl migrate` applies
// next (graphile-worker's schema, every file of sql/), so a database migrated by
// `npm run migrate:watch` or `migrate:commit` is the one `wl migrate` makes.
// graphile-migrate gives the database as GM_DBURL (and sets DATABASE_URL to a dummy).
import { applyDefinitions } from './migrate.ts';

const url = process.env.GM_DBURL ?? process.env.DATABASE_URL;
if (!url) {
  console.error('apply-definitions: GM_DBURL (set by graphile-migrate) or DATABASE_URL is required');
  process.exit(2);
}
await applyDefinitions(url, (m) => console.log(m));
