// The paper ledger's open positions on a venue (all symbols, or those listed).
import { z } from 'zod';
import { callRows, Decimal, type SqlClient } from '../client.ts';

export const text = `select symbol, size::text as size, entry_price::text as entry_price from paper.position
  where venue = $1 and size <> 0 and ($2::text[] is null or symbol = any($2)) order by symbol`;
export const Params = z.object({ venue: z.string(), symbols: z.array(z.string()).nullable() });
export const Row = z.object({ symbol: z.string(), size: Decimal, entry_price: Decimal.nullable() });

export const paperPositions = (c: SqlClient, p: z.input<typeof Params>): Promise<z.output<typeof Row>[]> =>
  callRows(c, { name: 'paper positions', text, params: Params, row: Row, values: (x) => [x.venue, x.symbols] }, p);
