// The preflight checks of a ccxt venue (workers/venues/preflight.ts runs them): one function
// per check, each turning every answer (and every error) into {ok, detail}. Loaded only
// when a real exchange is configured (ccxt takes seconds to import).
import { MarginModeAlreadySet, NoChange } from 'ccxt';
import type { Exchange } from 'ccxt';
import { z } from 'zod';
import { CcxtVenue, exchangeErrorCodes, mapCcxtError } from './ccxt-venue.ts';
import { isSandboxed } from './sandbox.ts';
import type { CheckName, CheckResult, PreflightOptions, VenuePreflight } from './preflight.ts';
import type { Venue } from './types.ts';

const MAX_DETAIL = 400;
const ok = (check: CheckName, detail: string): CheckResult => ({ check, ok: true, detail });
const fail = (check: CheckName, detail: string): CheckResult => ({ check, ok: false, detail: detail.slice(0, MAX_DETAIL) });

/** a check that threw (network, auth, an answer of the wrong shape) failed: it did not confirm anything */
async function guarded(check: CheckName, v: CcxtVenue, fn: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await fn();
  } catch (e) {
    const ve = mapCcxtError(v.name, e, { op: `preflight ${check}` });
    return fail(check, `could not check: ${ve.message}`);
  }
}

const parse = <T>(schema: z.ZodType<T>, x: unknown, what: string): T => {
  const r = schema.safeParse(x);
  if (!r.success) throw new Error(`${what}: unexpected answer (${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return r.data;
};

/** the symbols of `wanted` this venue lists (a symbol it does not list is never traded there) */
function listed(v: Venue, wanted: string[]): string[] {
  const have = new Set(v.symbols());
  return wanted.filter((s) => have.has(s));
}

// ---------------------------------------------------------------------------------------
// position mode: one-way (net). In hedge mode an order without a position side is rejected
// (Binance -4061, OKX 51000, Bybit 10001, Bitget 40774) and positions come in two rows.

const hedgedAnswer = z.object({ hedged: z.boolean() });
const bitgetAccount = z.object({ posMode: z.string(), marginMode: z.string().optional() });

export async function checkPositionMode(v: CcxtVenue, symbols: string[]): Promise<CheckResult> {
  return guarded('position_mode', v, async () => {
    const ex = v.exchange;
    const hedgeHelp = 'switch the account to one-way position mode on the exchange';
    switch (v.name) {
      case 'binance':
      case 'okx': {
        const { hedged } = parse(hedgedAnswer, await ex.fetchPositionMode(), 'fetchPositionMode');
        return hedged ? fail('position_mode', `hedge (dual-side) mode: ${hedgeHelp}`) : ok('position_mode', 'one-way');
      }
      case 'bybit':
        // Bybit has no read for it: ask for one-way; "not modified" (110025) means it already is
        try {
          await ex.setPositionMode(false);
          return ok('position_mode', 'one-way (switched)');
        } catch (e) {
          if (e instanceof NoChange || exchangeErrorCodes(String((e as Error)?.message)).includes('110025')) return ok('position_mode', 'one-way');
          // 110024: hedge mode with a position open, so it cannot be switched
          return fail('position_mode', `not one-way and could not be switched: ${mapCcxtError(v.name, e, { op: 'setPositionMode' }).message}`);
        }
      case 'bitget': {
        const sym = symbols[0] ?? 'BTC/USDT:USDT';
        const mm = await ex.fetchMarginMode(sym);
        const acct = parse(bitgetAccount, mm.info, 'account');
        return acct.posMode === 'one_way_mode' ? ok('position_mode', 'one-way') : fail('position_mode', `${acct.posMode}: ${hedgeHelp}`);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------
// margin mode: cross for every symbol we trade (a symbol left isolated at high leverage can
// liquidate one leg while the other holds).

const OKX_ACCOUNT_LEVELS: Record<string, string> = { '1': 'spot', '2': 'futures', '3': 'multi-currency margin', '4': 'portfolio margin' };
const okxConfig = z.object({
  code: z.string(),
  data: z.array(z.object({ acctLv: z.string(), posMode: z.string().optional(), perm: z.string().optional() }).passthrough()).min(1),
});

export async function checkMarginMode(v: CcxtVenue, symbols: string[]): Promise<CheckResult> {
  return guarded('margin_mode', v, async () => {
    const ex = v.exchange as Exchange & Record<string, (p?: unknown) => Promise<unknown>>;
    switch (v.name) {
      case 'binance': {
        const bad: string[] = [];
        for (const s of symbols) {
          try {
            await ex.setMarginMode('cross', s);
          } catch (e) {
            if (e instanceof MarginModeAlreadySet || exchangeErrorCodes(String((e as Error)?.message)).includes('-4046')) continue;
            bad.push(`${s}: ${mapCcxtError(v.name, e, { op: 'setMarginMode', symbol: s }).message}`);
          }
        }
        return bad.length ? fail('margin_mode', `not cross: ${bad.join('; ')}`) : ok('margin_mode', `cross on ${symbols.length} symbols`);
      }
      case 'okx': {
        // OKX margin mode travels with each order (tdMode=cross); the account level must allow it
        const cfg = parse(okxConfig, await ex['privateGetAccountConfig']!(), 'account/config');
        const lv = cfg.data[0].acctLv;
        return lv === '1'
          ? fail('margin_mode', 'account mode is spot (acctLv 1): swaps cannot be traded on margin; choose futures or multi-currency margin mode')
          : ok('margin_mode', `cross per order; account mode ${OKX_ACCOUNT_LEVELS[lv] ?? lv}`);
      }
      case 'bybit': {
        // unified account: one margin mode for the whole account (REGULAR_MARGIN = cross)
        const mm = await ex.fetchMarginMode(symbols[0] ?? 'BTC/USDT:USDT');
        const mode = String(mm.marginMode);
        return mode === 'cross' || mode === 'portfolio'
          ? ok('margin_mode', `account ${mode} margin`)
          : fail('margin_mode', `account margin mode ${mode}: set cross (regular) margin on the unified account`);
      }
      case 'bitget': {
        const bad: string[] = [];
        for (const s of symbols) {
          const mm = await ex.fetchMarginMode(s);
          if (mm.marginMode === 'cross') continue;
          try {
            await ex.setMarginMode('cross', s);
          } catch (e) {
            bad.push(`${s}: ${mm.marginMode}, switching failed: ${mapCcxtError(v.name, e, { op: 'setMarginMode', symbol: s }).message}`);
          }
        }
        return bad.length ? fail('margin_mode', `not cross: ${bad.join('; ')}`) : ok('margin_mode', `cross on ${symbols.length} symbols`);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------
// leverage at or below the target: read it; above → set the target and read again.

const leverageAnswer = z.object({ longLeverage: z.number().nullish(), shortLeverage: z.number().nullish() }).passthrough();

async function readLeverages(v: CcxtVenue, symbols: string[]): Promise<Map<string, number | null>> {
  const ex = v.exchange;
  const out = new Map<string, number | null>();
  const of = (x: unknown): number | null => {
    const l = parse(leverageAnswer, x, 'leverage');
    const vals = [l.longLeverage, l.shortLeverage].filter((n): n is number => typeof n === 'number' && Number.isFinite(n));
    return vals.length ? Math.max(...vals) : null;
  };
  if (v.name === 'binance') {
    // one request for every symbol (/fapi/v1/symbolConfig)
    const all = (await ex.fetchLeverages(symbols)) as unknown as Record<string, unknown>;
    for (const s of symbols) out.set(s, all[s] === undefined ? null : of(all[s]));
    return out;
  }
  for (const s of symbols) out.set(s, of(await ex.fetchLeverage(s, v.name === 'okx' ? { marginMode: 'cross' } : {})));
  return out;
}

export async function checkLeverage(v: CcxtVenue, symbols: string[], target: number): Promise<CheckResult> {
  return guarded('leverage', v, async () => {
    let lev = await readLeverages(v, symbols);
    const above = () => symbols.filter((s) => { const l = lev.get(s); return l === null || l === undefined || l > target; });
    const first = above();
    if (first.length) {
      for (const s of first) await v.setLeverage(s, target).catch(() => {}); // the re-read below decides
      lev = await readLeverages(v, first);
    }
    const still = above().filter((s) => first.includes(s));
    if (still.length) return fail('leverage', `not confirmed ≤ ${target}x: ${still.map((s) => `${s} ${lev.get(s) ?? 'unknown'}x`).join(', ')}`);
    return ok('leverage', `≤ ${target}x on ${symbols.length} symbols${first.length ? ` (set on ${first.length})` : ''}`);
  });
}

// ---------------------------------------------------------------------------------------
// clock: exchange time vs ours. ccxt signs with the measured offset (adjustForTimeDifference),
// but our own book ages, signal ages and funding times read the local clock: a host clock
// off by more than the limit is a host to fix (NTP), not one to trade from.

export async function checkClock(v: CcxtVenue, maxSkewMs: number, now: () => number = Date.now): Promise<CheckResult> {
  return guarded('clock', v, async () => {
    const t0 = now();
    const server = await v.exchange.fetchTime();
    const t1 = now();
    if (typeof server !== 'number' || !Number.isFinite(server) || server <= 0) throw new Error(`fetchTime: unexpected answer ${String(server)}`);
    const skew = Math.round(server - (t0 + t1) / 2);
    const opts = v.exchange.options as Record<string, unknown>;
    if (opts['adjustForTimeDifference']) opts['timeDifference'] = -skew; // ccxt signs with milliseconds() − timeDifference
    const where = `exchange ${skew >= 0 ? 'ahead by' : 'behind by'} ${Math.abs(skew)} ms (round trip ${t1 - t0} ms)`;
    return Math.abs(skew) > maxSkewMs
      ? fail('clock', `${where}, limit ${maxSkewMs} ms: synchronise this host's clock (NTP)`)
      : ok('clock', where);
  });
}

// ---------------------------------------------------------------------------------------
// key permissions: trading yes, withdrawal no (unless the operator opts in).

const binanceRestrictions = z.object({ enableFutures: z.boolean(), enableWithdrawals: z.boolean(), enableReading: z.boolean().optional() }).passthrough();
const bybitKey = z.object({
  retCode: z.coerce.number(),
  result: z.object({ readOnly: z.coerce.number(), permissions: z.record(z.string(), z.array(z.string()).nullish()) }).passthrough(),
});
const bitgetInfo = z.object({ data: z.object({ authorities: z.array(z.string()) }).passthrough() });

interface KeyRights {
  trade: boolean;
  withdraw: boolean;
  what: string;
}

async function keyRights(v: CcxtVenue): Promise<KeyRights | string> {
  const ex = v.exchange as unknown as Record<string, (p?: unknown) => Promise<unknown>>;
  switch (v.name) {
    case 'binance': {
      // /sapi lives on api.binance.com only: the demo environment has no such endpoint
      if (isSandboxed(v.exchange)) return 'not available on Binance demo trading (no /sapi)';
      const r = parse(binanceRestrictions, await ex['sapiGetAccountApiRestrictions']!(), 'apiRestrictions');
      return { trade: r.enableFutures, withdraw: r.enableWithdrawals, what: `futures ${r.enableFutures ? 'on' : 'off'}, withdrawals ${r.enableWithdrawals ? 'on' : 'off'}` };
    }
    case 'okx': {
      const cfg = parse(okxConfig, await ex['privateGetAccountConfig']!(), 'account/config');
      const perm = (cfg.data[0].perm ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      return { trade: perm.includes('trade'), withdraw: perm.includes('withdraw'), what: `perm ${perm.join(',') || '(none)'}` };
    }
    case 'bybit': {
      const r = parse(bybitKey, await ex['privateGetV5UserQueryApi']!(), 'user/query-api').result;
      const p = r.permissions;
      const has = (k: string) => (p[k] ?? []).length > 0;
      const withdraw = Object.values(p).some((list) => (list ?? []).some((x) => /withdraw/i.test(x)));
      const trade = r.readOnly === 0 && (has('ContractTrade') || has('Derivatives'));
      return { trade, withdraw, what: `${r.readOnly ? 'read-only' : 'read-write'}, contract ${(p['ContractTrade'] ?? []).join('+') || 'none'}, wallet ${(p['Wallet'] ?? []).join('+') || 'none'}` };
    }
    case 'bitget': {
      const a = parse(bitgetInfo, await ex['privateSpotGetV2SpotAccountInfo']!(), 'spot/account/info').data.authorities;
      // coow = futures orders read/write, wwow = withdrawal; 'trade'/'withdraw' on older keys
      return { trade: a.includes('coow') || a.includes('trade'), withdraw: a.includes('wwow') || a.includes('withdraw'), what: `authorities ${a.join(',')}` };
    }
  }
}

export async function checkKeyPermissions(v: CcxtVenue, allowWithdraw: boolean): Promise<CheckResult> {
  return guarded('key_permissions', v, async () => {
    const r = await keyRights(v);
    if (typeof r === 'string') return ok('key_permissions', r);
    if (!r.trade) return fail('key_permissions', `key cannot trade futures (${r.what})`);
    if (r.withdraw && !allowWithdraw) return fail('key_permissions', `key can withdraw (${r.what}): use a key without withdrawal rights, or set WL_ALLOW_WITHDRAW_KEYS=1`);
    return ok('key_permissions', `${r.what}${r.withdraw ? ' (withdrawal allowed by WL_ALLOW_WITHDRAW_KEYS)' : ''}`);
  });
}

// ---------------------------------------------------------------------------------------

/** every check of one ccxt venue, one after another (one account, one rate limiter) */
export async function ccxtPreflight(v: Venue, o: PreflightOptions): Promise<VenuePreflight> {
  if (!(v instanceof CcxtVenue)) return { venue: v.name, environment: 'live', ok: false, checks: [fail('position_mode', 'not an exchange venue this code knows how to check')] };
  const symbols = listed(v, o.symbols);
  const checks: CheckResult[] = [];
  checks.push(await checkClock(v, o.maxClockSkewMs, o.now));
  checks.push(await checkKeyPermissions(v, o.allowWithdrawKeys));
  checks.push(await checkPositionMode(v, symbols));
  if (symbols.length === 0) {
    // nothing to check per symbol must not read as "all fine" (markets not loaded, or none of ours listed)
    const why = `none of the traded symbols is listed (${v.symbols().length} markets loaded)`;
    checks.push(fail('margin_mode', why), fail('leverage', why));
  } else {
    checks.push(await checkMarginMode(v, symbols));
    checks.push(await checkLeverage(v, symbols, o.leverage));
  }
  return { venue: v.name, environment: isSandboxed(v.exchange) ? 'sandbox' : 'live', ok: checks.every((c) => c.ok), checks };
}
