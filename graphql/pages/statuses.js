// Trade statuses as the pages group them, in one place (sql/gate.sql is the status
// machine). No imports: bench/graphql.ts loads the page queries in Node too.
export const ACTIVE_STATUSES = ['new', 'opening', 'open', 'closing'];
export const FINISHED_STATUSES = ['closed', 'failed', 'partial_failed'];
