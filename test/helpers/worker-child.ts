// A real worker process for crash tests: graphile-worker + paper venues on
// DATABASE_URL. WL_TEST_HANG=before:N | after:N freezes the process at the N-th
// market order it sends (before it reaches the venue, or after the venue executed
// it but before the reply is handled), prints HUNG, and waits to be SIGKILLed.
import { Logger, run } from 'graphile-worker';
import { taskList } from '../../workers/tasks/index.ts';
import { configureVenues, sharedVenues } from '../../workers/venues/registry.ts';

const url = process.env.DATABASE_URL!;
const [mode, nth] = (process.env.WL_TEST_HANG ?? 'none:0').split(':');
configureVenues({ url, mode: 'paper', venues: ['binance', 'okx', 'bybit', 'bitget'] });
const set = await sharedVenues();
let calls = 0;
let frozen = false;
const forever = () => new Promise<never>(() => {});
const freeze = () => {
  if (!frozen) process.stdout.write('HUNG\n');
  frozen = true;
  return forever();
};
for (const v of set.venues) {
  const send = v.createMarketOrder.bind(v);
  v.createMarketOrder = async (req) => {
    const n = ++calls;
    if (frozen) return forever();
    if (mode === 'before' && n >= Number(nth)) return freeze();
    const r = await send(req);
    if (mode === 'after' && n >= Number(nth)) return freeze();
    return r;
  };
}
await run({ connectionString: url, taskList, concurrency: 4, pollInterval: 100, noHandleSignals: true, crontab: '', logger: new Logger(() => () => {}) });
process.stdout.write('READY\n');
