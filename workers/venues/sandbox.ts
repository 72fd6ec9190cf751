// Whether a ccxt instance was switched to its exchange's test environment (ccxt-factory.ts
// useSandbox). Apart from the factory so that callers need not import ccxt to ask.
import type { Exchange } from 'ccxt';

type Flags = Pick<Exchange, 'options'> & { isSandboxModeEnabled?: boolean };

/** Binance/Bybit demo set options.enableDemoTrading; OKX/Bitget options.sandboxMode; Bybit testnet isSandboxModeEnabled */
export function isSandboxed(ex: Flags): boolean {
  const o = (ex.options ?? {}) as Record<string, unknown>;
  return o['sandboxMode'] === true || o['enableDemoTrading'] === true || ex.isSandboxModeEnabled === true;
}
