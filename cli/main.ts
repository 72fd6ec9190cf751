// The `wl` command.
import { Command } from 'commander';
import { registerDbCommands } from './db.ts';
import { registerRun } from './run.ts';
import { registerTail } from './tail.ts';
import { registerServe } from './serve.ts';
import { registerBackfill } from './backfill.ts';
import { registerTrade } from './trade.ts';
import { registerPreflight } from './preflight.ts';
import { registerDoctor } from './doctor.ts';
import { registerModel } from './model.ts';
import { registerReport } from './report.ts';
import { registerCheck } from './check.ts';
import { log } from './log.ts';
import { shutdown } from './lifecycle.ts';

const program = new Command('wl').description('watchlist → live trading, PostgreSQL at the centre');
registerDbCommands(program);
registerRun(program);
registerTail(program);
registerServe(program);
registerBackfill(program);
registerTrade(program);
registerPreflight(program);
registerDoctor(program);
registerModel(program);
registerReport(program);
registerCheck(program);

// a command that fails stops what it started (the embedded PostgreSQL too) before exiting
program.parseAsync(process.argv).catch(async (e: Error) => {
  log(`error: ${e.message}`);
  await shutdown(1);
});
