// Limits so one GraphQL request cannot pin the database: a maximum selection
// depth (a validation rule, so an over-deep document is refused before planning),
// and a cap on `first`/`last` of every connection and list. Anonymous requests
// also run under a statement_timeout (graphql/auth.ts).
import { lambda, SafeError } from 'postgraphile/grafast';
import { GraphQLError, Kind, type SelectionSetNode, type ValidationRule } from 'postgraphile/graphql';

export const MAX_DEPTH = 10;
export const MAX_PAGE = 2000;

/** Selection depth of each operation, following fragments; introspection fields (`__schema`, …) are exempt. */
export function depthLimitRule(max = MAX_DEPTH): ValidationRule {
  return (ctx) => {
    const measure = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): number => {
      if (!set) return depth;
      let deepest = depth;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, measure(sel.selectionSet, depth + 1, seen));
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, measure(sel.selectionSet, depth, seen));
        } else {
          const name = sel.name.value;
          const frag = ctx.getFragment(name);
          if (!frag || seen.has(name)) continue; // cycles are another rule's error
          deepest = Math.max(deepest, measure(frag.selectionSet, depth, new Set(seen).add(name)));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = measure(node.selectionSet, 0, new Set());
        if (depth > max) {
          ctx.reportError(
            new GraphQLError(`Query depth ${depth} exceeds the limit of ${max}.`, { nodes: [node], extensions: { code: 'DEPTH_LIMIT' } }),
          );
        }
      },
    };
  };
}

const capped = (n: number | null | undefined) => {
  if (n != null && (n < 0 || n > MAX_PAGE)) throw new SafeError(`first/last must be between 0 and ${MAX_PAGE}.`);
  return n;
};

export const LimitsPlugin: GraphileConfig.Plugin = {
  name: 'WatchlistLimitsPlugin',
  version: '1.0.0',
  after: ['PgFirstLastBeforeAfterArgsPlugin'],
  grafserv: {
    middleware: {
      setPreset(next, event) {
        event.validationRules.push(depthLimitRule());
        return next();
      },
    },
  },
  schema: {
    hooks: {
      GraphQLObjectType_fields_field_args(args, _build, context) {
        const { isPgFieldConnection, isPgFieldSimpleCollection } = context.scope;
        if (!isPgFieldConnection && !isPgFieldSimpleCollection) return args;
        for (const key of ['first', 'last'] as const) {
          const arg = args[key];
          if (!arg || typeof arg.applyPlan !== 'function') continue;
          args[key] = {
            ...arg,
            applyPlan(_parent, $collection, val) {
              const $n = lambda(val.getRaw(), capped);
              ($collection as unknown as { [k: string]: (s: unknown) => void })[key === 'first' ? 'setFirst' : 'setLast']($n);
            },
          };
        }
        return args;
      },
    },
  },
};
