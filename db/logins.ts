// The login roles the processes connect as, so neither the API nor the worker
// holds the migrating user's (often a superuser's) rights:
//   wl_graphql_<db>  LOGIN NOINHERIT, member of wl_reader and wl_trader: it has no
//                    rights of its own; each session SETs ROLE wl_reader (anonymous)
//                    or wl_trader (the trader's requests)
//   wl_worker_<db>   LOGIN, member of wl_writer
// `wl migrate` (every long-running command) creates them idempotently and sets
// their passwords from a 0600 file it keeps (generated on first use), stored as
// SCRAM verifiers computed here so no cleartext password reaches the server's logs.
// An installation whose DBA manages roles gives the URLs instead
// (WL_GRAPHQL_DATABASE_URL, WL_WORKER_DATABASE_URL) and wl leaves the roles alone.
// A DATABASE_URL user without CREATEROLE falls back to connecting as itself.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { config, repoRoot } from './config.ts';
import { makeClient } from './pool.ts';

export type LoginKind = 'graphql' | 'worker';

export const LOGINS: Record<LoginKind, { role: string; memberOf: string[]; inherit: boolean; env: string }> = {
  graphql: { role: 'wl_graphql', memberOf: ['wl_reader', 'wl_trader'], inherit: false, env: 'WL_GRAPHQL_DATABASE_URL' },
  worker: { role: 'wl_worker', memberOf: ['wl_writer'], inherit: true, env: 'WL_WORKER_DATABASE_URL' },
};

/**
 * Roles are cluster-wide, passwords are per installation: each database gets its own
 * logins (`wl_graphql_<database>`), so two installations on one server (or tests running
 * side by side) never reset each other's passwords.
 */
export function loginRole(kind: LoginKind, database: string): string {
  const name = `${LOGINS[kind].role}_${database}`;
  return Buffer.byteLength(name) <= 63 ? name : `${LOGINS[kind].role}_${createHash('sha256').update(database).digest('hex').slice(0, 16)}`;
}

/** where the generated passwords are kept: WL_LOGINS_FILE, else beside the embedded data, else .data/ */
export function loginsFile(): string {
  if (process.env.WL_LOGINS_FILE) return process.env.WL_LOGINS_FILE;
  return config.databaseUrl ? path.join(repoRoot, '.data', 'wl-logins.json') : path.join(config.dataDir, 'wl-logins.json');
}

type Store = Record<string, Record<string, string>>;

const serverKey = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}`;
};

function readStore(file: string): Store {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Store;
  } catch {
    return {};
  }
}

function writeStore(file: string, store: Store) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(store, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** PostgreSQL's SCRAM-SHA-256 verifier of a password (RFC 7677; what `password_encryption = scram-sha-256` stores) */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKeyBytes = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKeyBytes.toString('base64')}`;
}

const withCredentials = (url: string, user: string, password: string) => {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
};

export type LoginUrls = Record<LoginKind, string>;

/** does the server accept this login (a new role's password is not visible until commit: only asked of existing roles) */
async function accepts(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {}); // a refused login is the answer, not an incident
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * Create or update the login roles and return the URL each process connects with.
 * `adminUrl` is the migrating connection (it must be able to create roles, or the
 * URLs fall back to it).
 */
export async function ensureLogins(adminUrl: string, log: (m: string) => void = () => {}): Promise<LoginUrls> {
  const out = {} as LoginUrls;
  const managed = (Object.keys(LOGINS) as LoginKind[]).filter((k) => {
    const given = process.env[LOGINS[k].env];
    if (given) out[k] = given;
    return !given;
  });
  if (!managed.length) return out;
  const c = makeClient('logins', { connectionString: adminUrl });
  await c.connect();
  try {
    const { rows } = await c.query(`select rolsuper or rolcreaterole as can from pg_roles where rolname = current_user`);
    if (!rows[0]?.can) {
      log(`login roles: ${new URL(adminUrl).username} cannot create roles; API and worker connect as it (set ${managed.map((k) => LOGINS[k].env).join(', ')} for least privilege)`);
      for (const k of managed) out[k] = adminUrl;
      return out;
    }
    await c.query('begin');
    // roles are cluster-wide: one writer of roles and of the file at a time
    await c.query(`select pg_advisory_xact_lock(hashtext('wl:logins'))`);
    const file = loginsFile();
    const store = readStore(file);
    const key = serverKey(adminUrl);
    const mine = (store[key] ??= {});
    let changed = false;
    const database = decodeURIComponent(new URL(adminUrl).pathname.slice(1)) || 'postgres';
    for (const k of managed) {
      const { memberOf, inherit } = LOGINS[k];
      const role = loginRole(k, database);
      const exists = (await c.query('select 1 from pg_roles where rolname = $1', [role])).rowCount! > 0;
      const attrs = `login nosuperuser nocreatedb nocreaterole noreplication nobypassrls ${inherit ? 'inherit' : 'noinherit'}`;
      if (!exists) await c.query(`create role ${pg.escapeIdentifier(role)} ${attrs}`);
      else await c.query(`alter role ${pg.escapeIdentifier(role)} ${attrs}`);
      // a password this file knows and the server accepts is kept; otherwise a new one is set
      const known = mine[role];
      if (!known || !exists || !(await accepts(withCredentials(adminUrl, role, known)))) {
        mine[role] = randomBytes(24).toString('base64url');
        changed = true;
        await c.query(`alter role ${pg.escapeIdentifier(role)} password ${pg.escapeLiteral(scramVerifier(mine[role]))}`);
      }
      for (const m of memberOf) await c.query(`grant ${pg.escapeIdentifier(m)} to ${pg.escapeIdentifier(role)}`);
      out[k] = withCredentials(adminUrl, role, mine[role]);
    }
    // the file first: a password set in the database but lost from the file is a locked-out process
    if (changed || !existsSync(file)) writeStore(file, store);
    await c.query('commit');
    log(`login roles: API as ${loginRole('graphql', database)}, worker as ${loginRole('worker', database)} (passwords in ${file}, mode 0600)`);
    return out;
  } catch (e) {
    await c.query('rollback').catch(() => {});
    throw e;
  } finally {
    await c.end().catch(() => {});
  }
}
