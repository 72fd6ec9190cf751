// Credentials out of error text before it is logged, stored or served. ccxt puts the
// signed request URL (`…&signature=<hmac>`) in some error messages. Two passes: the
// exact key values this process holds (from the environment), then any
// credential-shaped name=value (the same pattern as watchlist.scrub_secrets in
// sql/scrub.sql, which guards the tables whatever path an error takes).

const NAMES =
  'signature|sign|apikey|api_key|api-key|secret|secretkey|secret_key|password|passphrase|access[-_]?key|access[-_]?sign|access[-_]?passphrase|x-mbx-apikey|ok-access-key|ok-access-sign|ok-access-passphrase|x-bapi-api-key|x-bapi-sign|access-token|token';
const SHAPED = new RegExp(`((?:${NAMES})["']?\\s*[=:]\\s*["']?)[^&\\s"',;}]+`, 'gi');

const SECRET_ENV = /(_API_KEY|_SECRET|_PASSWORD|_PASSPHRASE|_TOKEN)$/;

/** the key material in this process's environment (values long enough to be secrets) */
function heldSecrets(): string[] {
  return Object.entries(process.env)
    .filter(([k, v]) => SECRET_ENV.test(k) && typeof v === 'string' && v.length >= 8)
    .map(([, v]) => v as string)
    .sort((a, b) => b.length - a.length);
}

export function scrubSecrets(text: string): string {
  let out = text;
  for (const s of heldSecrets()) out = out.split(s).join('***');
  return out.replace(SHAPED, '$1***');
}

/** the same over any JSON-able value (strings inside are scrubbed) */
export function scrubValue<T>(v: T): T {
  if (typeof v === 'string') return scrubSecrets(v) as T;
  if (Array.isArray(v)) return v.map(scrubValue) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubValue(x)])) as T;
  return v;
}
