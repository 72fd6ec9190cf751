// A signal's threshold row (what the gate and the re-check compared against), or null.
import { z } from 'zod';
import { callRows, Id, type SqlClient } from './client.ts';

export const text = 'select threshold from watchlist.live_trade_signal where id = $1';
export const Params = z.object({ signalId: Id });
export const Row = z.object({ threshold: z.record(z.string(), z.unknown()).nullable() });

export async function signalThreshold(c: SqlClient, signalId: number): Promise<Record<string, unknown> | null> {
  const rows = await callRows(c, { name: 'signal_threshold', text, params: Params, row: Row, values: (x) => [x.signalId] }, { signalId });
  return rows[0]?.threshold ?? null;
}
