// Average fill price for a market order of a given USDT notional against a book side.
// Ratios only: the result feeds spread estimates, never an order amount.
import type { Level, OrderBook, Side, SweepResult } from './types.ts';

export function sweepLevels(levels: Level[], side: Side, notionalUsdt: number): SweepResult {
  let remaining = notionalUsdt;
  let cost = 0;
  let qty = 0;
  let used = 0;
  for (const [p, a] of levels) {
    const price = Number(p);
    const amount = Number(a);
    if (!(price > 0) || !(amount > 0)) continue;
    used++;
    const levelCost = price * amount;
    if (levelCost >= remaining) {
      qty += remaining / price;
      cost += remaining;
      remaining = 0;
      break;
    }
    qty += amount;
    cost += levelCost;
    remaining -= levelCost;
  }
  return {
    side,
    notionalUsdt,
    avgPrice: qty > 0 ? cost / qty : null,
    baseQty: qty,
    sufficient: remaining <= notionalUsdt * 1e-9,
    levelsUsed: used,
  };
}

/** buy sweeps the asks, sell sweeps the bids */
export function sweep(book: OrderBook, side: Side, notionalUsdt: number): SweepResult {
  return sweepLevels(side === 'buy' ? book.asks : book.bids, side, notionalUsdt);
}

/** sweep for a base quantity (closing a position of known size) */
export function sweepBase(book: OrderBook, side: Side, baseQty: number): SweepResult {
  const levels = side === 'buy' ? book.asks : book.bids;
  let remaining = baseQty;
  let cost = 0;
  let used = 0;
  for (const [p, a] of levels) {
    const price = Number(p);
    const amount = Number(a);
    if (!(price > 0) || !(amount > 0)) continue;
    used++;
    const take = Math.min(amount, remaining);
    cost += take * price;
    remaining -= take;
    if (remaining <= 0) break;
  }
  const filled = baseQty - Math.max(remaining, 0);
  return {
    side,
    notionalUsdt: cost,
    avgPrice: filled > 0 ? cost / filled : null,
    baseQty: filled,
    sufficient: remaining <= baseQty * 1e-9,
    levelsUsed: used,
  };
}
