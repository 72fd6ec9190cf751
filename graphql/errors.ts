// Which errors a client sees. PostgreSQL's own refusals are what a trader needs to
// read (no permission, a rule's `raise exception`, a bad value, a state such as
// the kill switch, a timeout), so
// those pass with their SQLSTATE; anything else is masked and logged with an id.
import { GraphQLError } from 'postgraphile/graphql';
import { defaultMaskError } from 'postgraphile/grafserv';

const SHOWN = [/^42501$/, /^P0001$/, /^22/, /^23/, /^55/, /^57014$/];

export function maskError(error: GraphQLError): GraphQLError {
  const orig = error.originalError as (Error & { code?: unknown }) | undefined;
  const code = typeof orig?.code === 'string' ? orig.code : null;
  if (orig && code && SHOWN.some((re) => re.test(code))) {
    return new GraphQLError(orig.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { code },
    });
  }
  return defaultMaskError(error);
}
