// Job payloads, parsed where a task starts: a malformed job fails loudly (and
// graphile-worker retries it with back-off) instead of acting on NaN ids.
import { z } from 'zod';

const id = z.coerce.number().int().positive();

/** open_trade / close_trade: the gate adds the symbol and legs so books can be fetched at once */
export const signalJob = z.object({
  signal_id: id,
  symbol: z.string().optional(),
  short: z.string().optional(),
  long: z.string().optional(),
});

export const manualOrderJob = z.object({ manual_order_id: id });
