// Loaded with `node --import` into a spawned `wl` (and called in-process by tests):
// every ccxt HTTP request fails as ccxt's own NetworkError, so a process with exchange
// keys in its environment runs with no network at all. Nothing reaches the internet.
import { Exchange, NetworkError } from 'ccxt';

const original = Exchange.prototype.fetch;

export function goOffline(): () => void {
  Exchange.prototype.fetch = async function (this: Exchange, url: string) {
    throw new NetworkError(`${this.id} offline (test): ${url}`);
  };
  return () => {
    Exchange.prototype.fetch = original;
  };
}

if (process.env.WL_TEST_CCXT_OFFLINE === '1') goOffline();
