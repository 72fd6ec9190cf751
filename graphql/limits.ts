// Limits so one GraphQL request cannot pin the database or the Node process.
// Before anything is planned, each operation is measured once (graphql/cost.ts,
// linear in the document even when fragments spread each other exponentially) and
// refused with a GraphQLError when it exceeds a budget: selected nodes (rows ×
// fields, with `first`/`last` or the default page as the multiplier), depth,
// and aliases. Every connection and collection gets the
// default page when neither `first` nor `last` is given (PostGraphile V5 has no
// such setting of its own; its `first`/`last` arguments are re-planned here), and
// no page larger than the maximum. A response above the byte cap is replaced by
// an error. Anonymous requests also run under a statement_timeout (graphql/auth.ts).
// Every limit can be set by environment (README, Security).
import { constant, ConstantStep, lambda, SafeError } from 'postgraphile/grafast';
import { GraphQLError, getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'postgraphile/graphql';
import { z } from 'zod';
import { operationCost } from './cost.ts';

export const MAX_DEPTH = 10;
export const MAX_PAGE = 2000;

const positive = z.coerce.number().int().positive();
const LIMITS = z.object({
  maxDepth: positive.default(MAX_DEPTH),
  maxNodes: positive.default(100_000),
  maxAliases: positive.default(64),
  defaultPage: positive.default(100),
  maxPage: positive.default(MAX_PAGE),
  maxResponseBytes: positive.default(10_000_000),
});
export type Limits = z.infer<typeof LIMITS>;

const ENV: Record<keyof Limits, string> = {
  maxDepth: 'WL_GQL_MAX_DEPTH',
  maxNodes: 'WL_GQL_MAX_NODES',
  maxAliases: 'WL_GQL_MAX_ALIASES',
  defaultPage: 'WL_GQL_DEFAULT_PAGE',
  maxPage: 'WL_GQL_MAX_PAGE',
  maxResponseBytes: 'WL_GQL_MAX_RESPONSE_BYTES',
};

/** The limits from the environment (unset → default); a malformed value stops start-up with its name. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Limits> = {}): Limits {
  const raw = Object.fromEntries(
    Object.entries(ENV).flatMap(([key, name]) => (env[name] != null && env[name] !== '' ? [[key, env[name]]] : [])),
  );
  const parsed = LIMITS.safeParse({ ...raw, ...overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path[0] as keyof Limits;
    throw new Error(`${ENV[key] ?? key}: ${issue.message} (a positive integer)`);
  }
  if (parsed.data.defaultPage > parsed.data.maxPage) throw new Error(`WL_GQL_DEFAULT_PAGE must not exceed WL_GQL_MAX_PAGE (${parsed.data.maxPage})`);
  return parsed.data;
}

const refusal = (message: string, code: string): ExecutionResult => ({ errors: [new GraphQLError(message, { extensions: { code } })] });

/** Why `args` is over budget, or null. */
export function overBudget(
  args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: unknown },
  limits: Limits,
): ExecutionResult | null {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return null; // grafast reports the missing operation itself
  const cost = operationCost(args.schema, args.document, operation, {
    defaultPage: limits.defaultPage,
    maxPage: limits.maxPage,
    variables: args.variableValues as Record<string, unknown> | null | undefined,
  });
  if (cost.depth > limits.maxDepth) return refusal(`Query depth ${cost.depth} exceeds the limit of ${limits.maxDepth}.`, 'DEPTH_LIMIT');
  if (cost.aliases > limits.maxAliases) return refusal(`Query uses ${cost.aliases} aliases; the limit is ${limits.maxAliases}.`, 'ALIAS_LIMIT');
  if (cost.nodes > limits.maxNodes) {
    const n = cost.nodes > 1e12 ? cost.nodes.toExponential(1) : String(cost.nodes);
    return refusal(
      `Query cost ${n} exceeds the budget of ${limits.maxNodes} nodes (fields × rows; a connection counts first/last, or ${limits.defaultPage} when omitted). Ask for fewer rows or fields.`,
      'COST_LIMIT',
    );
  }
  return null;
}

function responseTooLarge(result: unknown, limits: Limits): ExecutionResult | null {
  const data = (result as ExecutionResult | null)?.data;
  if (data == null) return null;
  const bytes = typeof data === 'string' ? Buffer.byteLength(data) : Buffer.byteLength(JSON.stringify(data));
  if (bytes <= limits.maxResponseBytes) return null;
  return refusal(`Response of ${bytes} bytes exceeds the limit of ${limits.maxResponseBytes}. Ask for fewer rows or fields.`, 'RESPONSE_LIMIT');
}

const isAsyncIterable = (x: unknown): x is AsyncIterable<unknown> => x != null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';

const checkPage = (n: unknown, maxPage: number) => {
  if (n != null && (typeof n !== 'number' || n < 0 || n > maxPage)) throw new SafeError(`first/last must be between 0 and ${maxPage}.`);
  return n as number | null | undefined;
};

type PageTarget = { setFirst(s: unknown): void; setLast(s: unknown): void };
type RawArgs = { getRaw(name: string): unknown };
/** an argument not given in the document (or one the field does not have: setof functions take no `last`) */
const absent = (step: unknown) => step == null || (step instanceof ConstantStep && step.data === undefined);

export function makeLimitsPlugin(limits: Limits): GraphileConfig.Plugin {
  const isCollection = (scope: { isPgFieldConnection?: boolean; isPgFieldSimpleCollection?: boolean }) =>
    Boolean(scope.isPgFieldConnection || scope.isPgFieldSimpleCollection);
  return {
    name: 'WatchlistLimitsPlugin',
    version: '2.0.0',
    after: ['PgFirstLastBeforeAfterArgsPlugin'],
    grafast: {
      middleware: {
        execute(next, event) {
          const refused = overBudget(event.args, limits);
          if (refused) return refused;
          const out = next();
          const bound = (r: Awaited<typeof out>) => (isAsyncIterable(r) ? r : (responseTooLarge(r, limits) ?? r));
          return out instanceof Promise ? out.then(bound) : bound(out as Awaited<typeof out>);
        },
        subscribe(next, event) {
          return overBudget(event.args, limits) ?? next();
        },
      },
    },
    schema: {
      hooks: {
        // first/last are planned here, together, so an omitted pair gets the default page
        GraphQLObjectType_fields_field(field, _build, context) {
          if (!isCollection(context.scope) || typeof field.plan !== 'function') return field;
          const plan = field.plan;
          const planWithPage = function (this: unknown, $parent: unknown, fieldArgs: RawArgs, info: unknown) {
            const $result = (plan as (...a: unknown[]) => PageTarget).call(this, $parent, fieldArgs, info);
            const $first = fieldArgs.getRaw('first');
            const $last = fieldArgs.getRaw('last');
            if (absent($first) && absent($last)) {
              $result.setFirst(constant(limits.defaultPage));
            } else {
              if (!absent($first)) {
                $result.setFirst(
                  absent($last)
                    ? lambda($first as never, (f: unknown) => (f == null ? limits.defaultPage : checkPage(f, limits.maxPage)))
                    : lambda([$first as never, $last as never], ([f, l]: readonly [unknown, unknown]) =>
                        f == null && l == null ? limits.defaultPage : checkPage(f, limits.maxPage),
                      ),
                );
              }
              if (!absent($last)) $result.setLast(lambda($last as never, (l: unknown) => checkPage(l, limits.maxPage)));
            }
            return $result;
          };
          return { ...field, plan: planWithPage as unknown as typeof field.plan };
        },
        GraphQLObjectType_fields_field_args(args, _build, context) {
          if (!isCollection(context.scope)) return args;
          for (const key of ['first', 'last'] as const) {
            const arg = args[key];
            if (arg && typeof arg.applyPlan === 'function') args[key] = { ...arg, applyPlan: undefined };
          }
          return args;
        },
      },
    },
  };
}
