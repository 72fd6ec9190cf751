// Weekly model fit (cron): every signal type and horizon with an active model; a new
// fit becomes active only when it beats the active one out of sample (model-fit.ts).
import type { Task } from 'graphile-worker';
import { fitModels } from '../../research/model-fit.ts';

export const fit_models: Task = async (_payload, { withPgClient, logger }) => {
  const res = await withPgClient((c) => fitModels(c, { signalTypes: ['B'], actor: 'fit_models job' }));
  for (const r of res) logger.info(`fit_models ${r.signalType}/${r.horizonMin}m ${r.version} ${r.status}${r.activated ? ' activated' : ''}: ${r.note}`);
};
