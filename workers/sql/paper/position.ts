// One paper position's signed size and leverage (a symbol never traded: no row).
import { z } from 'zod';
import { callRows, Decimal, type SqlClient } from '../client.ts';

export const text = 'select size::text as size, leverage from paper.position where venue = $1 and symbol = $2';
export const Params = z.object({ venue: z.string(), symbol: z.string() });
export const Row = z.object({ size: Decimal, leverage: z.number().int().positive() });

export async function paperPosition(c: SqlClient, venue: string, symbol: string): Promise<z.output<typeof Row> | null> {
  const rows = await callRows(c, { name: 'paper position', text, params: Params, row: Row, values: (x) => [x.venue, x.symbol] }, { venue, symbol });
  return rows[0] ?? null;
}
