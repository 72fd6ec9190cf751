import { describe, expect, it } from 'vitest';
import {
  HOUR_MS,
  advancePastNow,
  grvtSchedule,
  hyperliquidSchedule,
  intervalHoursBetween,
  lighterSchedule,
  nextUtcBoundary,
  normaliseSchedule,
  parseHours,
  parseIntervalString,
  ruleSchedule,
} from '../workers/venues/funding-schedule.ts';

const t = (iso: string) => Date.parse(iso);

describe('advancePastNow', () => {
  it('keeps a future time', () => {
    expect(advancePastNow(t('2024-06-01T08:00:00Z'), 8 * HOUR_MS, t('2024-06-01T07:59:59Z'))).toBe(t('2024-06-01T08:00:00Z'));
  });
  it('advances a past time by whole intervals to the first one after now', () => {
    expect(advancePastNow(t('2024-06-01T00:00:00Z'), 8 * HOUR_MS, t('2024-06-01T17:30:00Z'))).toBe(t('2024-06-02T00:00:00Z'));
  });
  it('treats a time equal to now as passed', () => {
    expect(advancePastNow(t('2024-06-01T08:00:00Z'), 8 * HOUR_MS, t('2024-06-01T08:00:00Z'))).toBe(t('2024-06-01T16:00:00Z'));
  });
  it('never returns a past time: null without an interval', () => {
    expect(advancePastNow(t('2024-06-01T00:00:00Z'), null, t('2024-06-01T01:00:00Z'))).toBeNull();
    expect(advancePastNow(null, 8 * HOUR_MS, 0)).toBeNull();
  });
});

describe('interval parsing', () => {
  it('reads ccxt interval strings', () => {
    expect(parseIntervalString('8h')).toBe(8);
    expect(parseIntervalString('1h')).toBe(1);
    expect(parseIntervalString('30m')).toBe(0.5);
    expect(parseIntervalString('1d')).toBe(24);
    expect(parseIntervalString('480')).toBeNull();
    expect(parseIntervalString(undefined)).toBeNull();
  });
  it('reads hour fields and settlement pairs', () => {
    expect(parseHours('4')).toBe(4);
    expect(parseHours(8)).toBe(8);
    expect(parseHours('')).toBeNull();
    expect(parseHours('0')).toBeNull();
    expect(intervalHoursBetween(t('2024-06-01T08:00:00Z'), t('2024-06-01T12:00:00Z'))).toBe(4);
    expect(intervalHoursBetween(t('2024-06-01T08:00:00Z'), t('2024-06-01T08:00:00Z'))).toBeNull();
  });
});

describe('normaliseSchedule', () => {
  it('passes a future API time through', () => {
    const now = t('2024-06-01T07:00:00Z');
    expect(normaliseSchedule(t('2024-06-01T08:00:00Z'), 8, now)).toEqual({ nextFundingTime: t('2024-06-01T08:00:00Z'), intervalHours: 8, scheduleSource: 'api' });
  });
  it('advances a stale API time and says so', () => {
    const now = t('2024-06-01T08:00:01Z');
    const s = normaliseSchedule(t('2024-06-01T08:00:00Z'), 4, now);
    expect(s.nextFundingTime).toBe(t('2024-06-01T12:00:00Z'));
    expect(s.scheduleSource).toBe('api+advanced');
  });
  it('falls back to the UTC boundary of the interval when no time is given', () => {
    const s = normaliseSchedule(null, 8, t('2024-06-01T09:15:00Z'));
    expect(s.nextFundingTime).toBe(t('2024-06-01T16:00:00Z'));
  });
  it('gives null rather than a past time when nothing can advance it', () => {
    expect(normaliseSchedule(t('2024-06-01T00:00:00Z'), null, t('2024-06-01T01:00:00Z')).nextFundingTime).toBeNull();
  });
});

describe('rules for venues without a schedule API', () => {
  it('Hyperliquid: the next UTC hour', () => {
    expect(hyperliquidSchedule(t('2024-06-01T10:59:59.999Z'))).toEqual({ nextFundingTime: t('2024-06-01T11:00:00Z'), intervalHours: 1, scheduleSource: 'rule:hourly' });
    // exactly on the hour: that settlement is now, the next one is an hour away
    expect(hyperliquidSchedule(t('2024-06-01T11:00:00Z')).nextFundingTime).toBe(t('2024-06-01T12:00:00Z'));
    expect(hyperliquidSchedule(t('2024-12-31T23:30:00Z')).nextFundingTime).toBe(t('2025-01-01T00:00:00Z'));
  });

  it('Lighter: a past settlement advanced by 1 h to the next one', () => {
    const now = t('2024-06-01T10:20:00Z');
    expect(lighterSchedule(t('2024-06-01T07:00:00Z'), now)).toEqual({ nextFundingTime: t('2024-06-01T11:00:00Z'), intervalHours: 1, scheduleSource: 'rule:advance-past' });
    // a future timestamp is kept
    expect(lighterSchedule(t('2024-06-01T11:00:00Z'), now).nextFundingTime).toBe(t('2024-06-01T11:00:00Z'));
    // no timestamp at all: next UTC hour
    expect(lighterSchedule(null, now).nextFundingTime).toBe(t('2024-06-01T11:00:00Z'));
  });

  it('GRVT: next 00/08/16 UTC boundary when no next time is given', () => {
    expect(grvtSchedule(null, t('2024-06-01T00:00:00Z')).nextFundingTime).toBe(t('2024-06-01T08:00:00Z'));
    expect(grvtSchedule(null, t('2024-06-01T07:59:59Z')).nextFundingTime).toBe(t('2024-06-01T08:00:00Z'));
    expect(grvtSchedule(null, t('2024-06-01T08:00:00Z')).nextFundingTime).toBe(t('2024-06-01T16:00:00Z'));
    expect(grvtSchedule(null, t('2024-06-01T20:00:00Z'))).toEqual({ nextFundingTime: t('2024-06-02T00:00:00Z'), intervalHours: 8, scheduleSource: 'rule:8h-boundary' });
  });

  it('GRVT: a given next time is used, advanced if stale', () => {
    expect(grvtSchedule(t('2024-06-01T16:00:00Z'), t('2024-06-01T09:00:00Z'))).toEqual({ nextFundingTime: t('2024-06-01T16:00:00Z'), intervalHours: 8, scheduleSource: 'api' });
    expect(grvtSchedule(t('2024-06-01T08:00:00Z'), t('2024-06-01T09:00:00Z')).nextFundingTime).toBe(t('2024-06-01T16:00:00Z'));
  });

  it('ruleSchedule dispatches, and never returns a past time', () => {
    const now = t('2024-06-01T10:20:00Z');
    for (const rule of ['hyperliquid', 'lighter', 'grvt'] as const) {
      const s = ruleSchedule(rule, now, rule === 'lighter' ? t('2024-05-30T00:00:00Z') : null);
      expect(s.nextFundingTime).toBeGreaterThan(now);
    }
  });

  it('nextUtcBoundary honours an offset', () => {
    expect(nextUtcBoundary(t('2024-06-01T01:00:00Z'), 8, 4)).toBe(t('2024-06-01T04:00:00Z'));
    expect(() => nextUtcBoundary(0, 0)).toThrow(RangeError);
  });
});
