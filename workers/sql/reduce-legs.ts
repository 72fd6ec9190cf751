// The reduce-only legs a SQL plan asks for (trade_open_outcome's flatten, trade_even_plan's trim).
import { z } from 'zod';
import { Decimal } from './client.ts';

export const ReduceLeg = z.object({
  leg: z.enum(['short', 'long']),
  exchange: z.string(),
  side: z.enum(['buy', 'sell']),
  amount: Decimal,
});
export type ReduceLeg = z.output<typeof ReduceLeg>;
