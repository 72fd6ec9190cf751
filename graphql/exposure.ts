// Default-deny GraphQL: PostGraphile sees schema `watchlist`, but only what carries
// the `@api` smart tag in its `comment on` becomes part of the API. The rule
// functions live in `watchlist` beside the tables (that is the product's shape), so
// without this every internal helper (normCdf, slotsSum, partitionUpperBound, …)
// would become a root field the moment someone created it.
//
//   comment on table    watchlist.x is E'@api\nWhat x is.';    -- read-only: list, by key, relations
//   comment on view     watchlist.v_x is E'@api\n…';
//   comment on function watchlist.f(…) is E'@api\n…';          -- query, mutation or computed column
//
// (Smart tags come before the description: PostGraphile stops reading tags at the
// first line that is not one.) Functions without the tag are dropped in the gather
// phase, before PostGraphile builds codecs for them: internal functions taking
// `record` arguments (gate_admit, gate_ignore) then print no "Could not build PgCodec"
// warning. Tables and views without the tag keep a type only where an exposed field
// returns one, with no root field, lookup, relation or mutation. Tagged tables are
// read-only: writes go through the trader functions, never through generated CRUD.
// CONVENTIONS.md says how to expose something; sql/api.sql holds the tags.
import type { PgProc } from 'pg-introspection';

/** the smart tag that exposes a table, view or function */
export const API_TAG = 'api';

const hasApiTag = (tags: Record<string, unknown> | undefined) => tags?.[API_TAG] === true || tags?.[API_TAG] === '';

export const ApiExposurePlugin: GraphileConfig.Plugin = {
  name: 'ApiExposurePlugin',
  description: 'Exposes only the tables, views and functions whose comment carries @api',
  version: '1.0.0',
  gather: {
    hooks: {
      pgIntrospection_introspection(info, event) {
        const schemas = info.resolvedPreset.pgServices?.find((s) => s.name === event.serviceName)?.schemas ?? ['public'];
        const { procs } = event.introspection;
        const exposed = (p: PgProc) =>
          !schemas.includes(p.getNamespace()?.nspname ?? '') || hasApiTag(p.getTagsAndDescription().tags as Record<string, unknown>);
        // in place: PostGraphile announces this very array to the other gather plugins
        const keep = procs.filter(exposed);
        procs.splice(0, procs.length, ...keep);
      },
    },
  },
  schema: {
    entityBehavior: {
      pgResource: {
        override: {
          provides: ['apiExposure'],
          callback: (behavior, resource) => [behavior, tableBehavior(resource)],
        },
      },
      // a by-key lookup (liveTradeSignalByRowId) follows its table
      pgResourceUnique: {
        override: {
          provides: ['apiExposure'],
          callback: (behavior, [resource]) => [behavior, tableBehavior(resource)],
        },
      },
    },
  },
};

type Resource = { parameters?: unknown; extensions?: { tags?: Record<string, unknown> } };

/** functions were filtered at gather time; a table or view is read-only when tagged, else hidden */
function tableBehavior(resource: Resource): GraphileBuild.BehaviorString {
  if (resource.parameters) return '' as GraphileBuild.BehaviorString;
  return (hasApiTag(resource.extensions?.tags) ? '-insert -update -delete' : '-*') as GraphileBuild.BehaviorString;
}
