// Funding schedules, normalised. Pure functions: no I/O, `now` is always passed in.
//
// Exchanges report the next settlement in different ways (a timestamp that may already
// have passed when the answer arrives, an interval string, two consecutive settlement
// times ...), and some venues publish no schedule at all. Everything here turns those
// into one shape: the next settlement strictly after `now`, plus the interval in hours.

export const HOUR_MS = 3_600_000;

export interface FundingSchedule {
  /** next settlement, ms epoch, strictly after `now`; null when it cannot be known */
  nextFundingTime: number | null;
  intervalHours: number | null;
  /** 'api', 'rule:hourly', 'rule:8h-boundary', 'rule:advance-past', ... */
  scheduleSource: string;
}

const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Advance a settlement time that is not in the future by whole intervals until it is.
 * A time exactly equal to `now` counts as passed (that settlement is happening now).
 * Without a usable interval a past time cannot be advanced: null (never a time in the past).
 */
export function advancePastNow(next: number | null | undefined, intervalMs: number | null | undefined, now: number): number | null {
  if (!isFiniteNumber(next)) return null;
  if (next > now) return next;
  if (!isFiniteNumber(intervalMs) || intervalMs <= 0) return null;
  const steps = Math.floor((now - next) / intervalMs) + 1;
  return next + steps * intervalMs;
}

/** the next multiple of `intervalHours` after `now`, counted from 00:00 UTC (+ offset hours) */
export function nextUtcBoundary(now: number, intervalHours: number, offsetHours = 0): number {
  if (!(intervalHours > 0)) throw new RangeError(`intervalHours must be > 0, got ${intervalHours}`);
  const step = intervalHours * HOUR_MS;
  const offset = offsetHours * HOUR_MS;
  return Math.floor((now - offset) / step) * step + step + offset;
}

/** '8h' → 8, '30m' → 0.5, '1d' → 24, '480' (minutes, as Bybit's instrument info) is NOT accepted here */
export function parseIntervalString(interval: string | null | undefined): number | null {
  if (typeof interval !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$/i.exec(interval);
  if (!m) return null;
  const n = Number(m[1]);
  if (!(n > 0)) return null;
  const unit = m[2].toLowerCase();
  return unit === 'h' ? n : unit === 'm' ? n / 60 : n * 24;
}

/** a positive number of hours from an API field (number or numeric string), else null */
export function parseHours(x: unknown): number | null {
  const n = typeof x === 'string' && x.trim() !== '' ? Number(x) : typeof x === 'number' ? x : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** interval between two consecutive settlement times (OKX: nextFundingTime − fundingTime) */
export function intervalHoursBetween(first: number | null | undefined, second: number | null | undefined): number | null {
  if (!isFiniteNumber(first) || !isFiniteNumber(second) || second <= first) return null;
  return (second - first) / HOUR_MS;
}

/**
 * Normalise an API-reported schedule: keep the interval, push the next time past `now`.
 * With no next time at all, fall back to the UTC-aligned boundary of the interval (every venue
 * here settles on UTC-aligned hours), marking the source so callers can tell.
 */
export function normaliseSchedule(next: number | null | undefined, intervalHours: number | null | undefined, now: number, source = 'api'): FundingSchedule {
  const hours = isFiniteNumber(intervalHours) && intervalHours > 0 ? intervalHours : null;
  const intervalMs = hours === null ? null : hours * HOUR_MS;
  if (isFiniteNumber(next)) {
    const advanced = advancePastNow(next, intervalMs, now);
    return { nextFundingTime: advanced, intervalHours: hours, scheduleSource: advanced === next ? source : `${source}+advanced` };
  }
  if (hours !== null) {
    return { nextFundingTime: nextUtcBoundary(now, hours), intervalHours: hours, scheduleSource: `${source}+utc-boundary` };
  }
  return { nextFundingTime: null, intervalHours: null, scheduleSource: source };
}

// ---------------------------------------------------------------------------------------
// Rules for venues without a schedule API

/** Hyperliquid settles every hour on the hour: the next UTC hour strictly after `now`. */
export function hyperliquidSchedule(now: number): FundingSchedule {
  return { nextFundingTime: nextUtcBoundary(now, 1), intervalHours: 1, scheduleSource: 'rule:hourly' };
}

/**
 * Lighter reports the timestamp of a (usually the last) funding settlement; funding is hourly.
 * Advance it by the interval to the next settlement after `now`. Without a timestamp,
 * fall back to the next UTC hour.
 */
export function lighterSchedule(lastFundingTime: number | null | undefined, now: number, intervalHours = 1): FundingSchedule {
  if (isFiniteNumber(lastFundingTime)) {
    return {
      nextFundingTime: advancePastNow(lastFundingTime, intervalHours * HOUR_MS, now),
      intervalHours,
      scheduleSource: 'rule:advance-past',
    };
  }
  return { nextFundingTime: nextUtcBoundary(now, intervalHours), intervalHours, scheduleSource: 'rule:hourly' };
}

/**
 * GRVT: use the next funding time it gives (advanced past `now` if stale); when none is
 * given, the next 00/08/16 UTC boundary.
 */
export function grvtSchedule(nextFundingTime: number | null | undefined, now: number, intervalHours = 8): FundingSchedule {
  if (isFiniteNumber(nextFundingTime)) {
    const advanced = advancePastNow(nextFundingTime, intervalHours * HOUR_MS, now);
    return { nextFundingTime: advanced, intervalHours, scheduleSource: advanced === nextFundingTime ? 'api' : 'api+advanced' };
  }
  return { nextFundingTime: nextUtcBoundary(now, intervalHours), intervalHours, scheduleSource: `rule:${intervalHours}h-boundary` };
}

export type FundingRule = 'hyperliquid' | 'lighter' | 'grvt';

/** one entry point for the rule-based venues */
export function ruleSchedule(rule: FundingRule, now: number, reported: number | null = null): FundingSchedule {
  switch (rule) {
    case 'hyperliquid':
      return hyperliquidSchedule(now);
    case 'lighter':
      return lighterSchedule(reported, now);
    case 'grvt':
      return grvtSchedule(reported, now);
  }
}
