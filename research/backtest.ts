// The gate's admission rules replayed on recorded predictions and realised outcomes:
// pnl_hat > trade.pnl_hat_min and win_prob > trade.win_prob_min, one active trade per
// symbol, cooldown per symbol + venue pair measured from the trade's end, at most
// trade.max_active at once and trade.daily_cap per UTC day. A trade is held to the
// horizon and earns the event's pnl_total there (no take-profit, no fees beyond what
// pnl_total holds). Sequential state, so TypeScript rather than SQL.

export interface Candidate {
  eventId: number;
  symbol: string;
  shortEx: string;
  longEx: string;
  t: number;
  horizonMin: number;
  pnlHat: number | null;
  winProb: number | null;
  pnlTotal: number;
}

export interface GateRules {
  pnlHatMin: number;
  winProbMin: number;
  cooldownMin: number;
  maxActive: number;
  dailyCap: number;
}

export interface SimTrade extends Candidate {
  cumPnl: number;
}

export interface SimSummary {
  horizonMin: number;
  candidates: number;
  trades: number;
  winRate: number | null;
  meanPnl: number | null;
  totalPnl: number;
  maxDrawdown: number;
}

export function simulate(cands: Candidate[], rules: GateRules): { trades: SimTrade[]; summary: Omit<SimSummary, 'horizonMin'> } {
  const sorted = [...cands].sort((a, b) => a.t - b.t || a.eventId - b.eventId);
  const symbolBusyUntil = new Map<string, number>();
  const pairFreeAt = new Map<string, number>();
  const perDay = new Map<string, number>();
  let open: number[] = []; // end times of trades held
  const trades: SimTrade[] = [];
  let cum = 0, peak = 0, dd = 0;
  for (const c of sorted) {
    if (c.pnlHat === null || c.winProb === null || !(c.pnlHat > rules.pnlHatMin) || !(c.winProb > rules.winProbMin)) continue;
    open = open.filter((end) => end > c.t);
    if ((symbolBusyUntil.get(c.symbol) ?? -Infinity) > c.t) continue;
    const pair = `${c.symbol}|${c.shortEx}|${c.longEx}`;
    if ((pairFreeAt.get(pair) ?? -Infinity) > c.t) continue;
    if (open.length >= rules.maxActive) continue;
    const day = new Date(c.t).toISOString().slice(0, 10);
    if ((perDay.get(day) ?? 0) >= rules.dailyCap) continue;
    const end = c.t + c.horizonMin * 60_000;
    open.push(end);
    symbolBusyUntil.set(c.symbol, end);
    pairFreeAt.set(pair, end + rules.cooldownMin * 60_000);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    cum += c.pnlTotal;
    peak = Math.max(peak, cum);
    dd = Math.max(dd, peak - cum);
    trades.push({ ...c, cumPnl: cum });
  }
  const wins = trades.filter((t) => t.pnlTotal > 0).length;
  return {
    trades,
    summary: {
      candidates: sorted.length,
      trades: trades.length,
      winRate: trades.length ? wins / trades.length : null,
      meanPnl: trades.length ? cum / trades.length : null,
      totalPnl: cum,
      maxDrawdown: dd,
    },
  };
}
