// watchlist.fee_conversion_pending(signal): fills whose fee still needs a USDT price (all trades when null).
import { z } from 'zod';
import { callRows, Decimal, Id, type SqlClient } from './client.ts';

export const text = 'select fill_id, exchange, currency, fee::text, ts_ms from watchlist.fee_conversion_pending($1)';
export const Params = z.object({ signalId: Id.nullable() });
export const Row = z.object({ fill_id: Id, exchange: z.string(), currency: z.string(), fee: Decimal, ts_ms: z.number() });

export const feeConversionPending = (c: SqlClient, signalId: number | null): Promise<z.output<typeof Row>[]> =>
  callRows(c, { name: 'fee_conversion_pending', text, params: Params, row: Row, values: (x) => [x.signalId] }, { signalId });
