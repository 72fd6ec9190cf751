// What the research code queries through: a pg Pool or client (the CLI) or graphile-worker's
// job client (the weekly fit). Research reads wide ad-hoc result sets for analysis, so its
// rows stay loosely typed here; the trading worker's calls go through workers/sql/ instead.
import type pg from 'pg';

export type Queryable = Pick<pg.ClientBase, 'query'>;
