// ccxt's leverage structure, validated where it enters: a missing or malformed
// figure is "not confirmed", never a default.
import { z } from 'zod';

const lev = z.number().positive().nullish();

export const LeverageAnswer = z.object({ longLeverage: lev, shortLeverage: lev }).passthrough();

/** the higher of the long/short leverage (one-way mode reports both alike), null when neither is given */
export function currentLeverage(answer: z.infer<typeof LeverageAnswer>): number | null {
  const vals = [answer.longLeverage, answer.shortLeverage].filter((x): x is number => typeof x === 'number');
  return vals.length ? Math.max(...vals) : null;
}
