// The paper account's funding ledger for a symbol in [since, until] (ms), non-zero rows.
import { z } from 'zod';
import { callRows, Decimal, type SqlClient } from '../client.ts';

export const text = `select (extract(epoch from ts) * 1000)::bigint::text as ts, amount::text as amount from paper.funding_ledger
  where venue = $1 and symbol = $2 and ts between to_timestamp($3::float8 / 1000) and to_timestamp($4::float8 / 1000)
    and amount <> 0
  order by ts`;
export const Params = z.object({ venue: z.string(), symbol: z.string(), since: z.number(), until: z.number() });
export const Row = z.object({ ts: z.string().regex(/^\d+$/).transform(Number), amount: Decimal });

export const paperFundingLedger = (c: SqlClient, p: z.input<typeof Params>): Promise<z.output<typeof Row>[]> =>
  callRows(c, { name: 'paper.funding_ledger', text, params: Params, row: Row, values: (x) => [x.venue, x.symbol, x.since, x.until] }, p);
