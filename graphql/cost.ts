// What one GraphQL operation may cost, measured in a single pass over the
// document: each fragment is measured once per (fragment, page size) and the
// result reused at every spread, so a chain of fragments each spreading the next
// twice costs linear time to measure (its *cost* still doubles per level, which
// is what refuses it). Counts, given the variables of the request:
//  - nodes: every selected field once per row it would be produced for; a list
//    inside a connection multiplies its selection by the page (`first`/`last`, or
//    the default page when both are absent, as the server applies it);
//  - depth: the deepest field nesting (introspection fields excepted);
//  - aliases: aliased fields (a fragment's once per page size it is measured at).
// Introspection fields count once each and not towards depth: their lists are
// bounded by the schema, and graphql-js's MaxIntrospectionDepthRule refuses nested
// introspection bombs during validation.
import {
  getNamedType, getNullableType, isListType, isObjectType, isInterfaceType, Kind,
  type DocumentNode, type FieldNode, type GraphQLField, type FragmentDefinitionNode, type GraphQLSchema, type GraphQLNamedType,
  type OperationDefinitionNode, type SelectionSetNode, type ValueNode,
} from 'postgraphile/graphql';

export interface Cost {
  nodes: number;
  depth: number;
  aliases: number;
}

export interface CostOptions {
  defaultPage: number;
  maxPage: number;
  variables?: Record<string, unknown> | null;
}

interface SetCost {
  nodes: number;
  depth: number;
}

const ZERO: SetCost = { nodes: 0, depth: 0 };

function intArg(field: FieldNode, name: string, variables: Record<string, unknown>): number | null | undefined {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  const value: ValueNode = arg.value;
  let v: unknown;
  if (value.kind === Kind.INT) v = Number(value.value);
  else if (value.kind === Kind.VARIABLE) v = variables[value.name.value];
  else if (value.kind === Kind.NULL) v = null;
  else return undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : v == null ? null : undefined;
}

/** The cost of `operation` (with its fragments from `document`) against `schema`. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  opts: CostOptions,
): Cost {
  const variables = opts.variables ?? {};
  const fragments = new Map<string, FragmentDefinitionNode>();
  let aliases = 0;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  const memo = new Map<string, SetCost>();
  const inProgress = new Set<string>();

  /** the page a connection or collection field returns: its first/last, capped, or the default page */
  const pageOf = (field: FieldNode, def: GraphQLField<unknown, unknown>): number | null => {
    if (!def.args.some((a) => a.name === 'first' || a.name === 'last')) return null;
    const first = intArg(field, 'first', variables);
    const last = intArg(field, 'last', variables);
    const given = [first, last].filter((n): n is number => typeof n === 'number');
    if (given.length) return Math.max(0, Math.min(opts.maxPage, Math.min(...given)));
    return opts.defaultPage;
  };

  const measureSet = (
    set: SelectionSetNode | undefined,
    type: GraphQLNamedType | null | undefined,
    page: number | null,
    introspection: boolean,
  ): SetCost => {
    if (!set) return ZERO;
    let nodes = 0;
    let depth = 0;
    for (const sel of set.selections) {
      let c: SetCost;
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases++;
        c = measureField(sel, type, page, introspection);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : type;
        c = measureSet(sel.selectionSet, t, page, introspection);
      } else {
        c = measureFragment(sel.name.value, page, introspection);
      }
      nodes += c.nodes;
      depth = Math.max(depth, c.depth);
    }
    return { nodes, depth };
  };

  const measureFragment = (name: string, page: number | null, introspection: boolean): SetCost => {
    const key = `${name}|${page}|${introspection}`;
    const known = memo.get(key);
    if (known) return known;
    const frag = fragments.get(name);
    if (!frag || inProgress.has(key)) return ZERO; // unknown or cyclic: validation's own error
    inProgress.add(key);
    const c = measureSet(frag.selectionSet, schema.getType(frag.typeCondition.name.value), page, introspection);
    inProgress.delete(key);
    memo.set(key, c);
    return c;
  };

  const measureField = (field: FieldNode, parent: GraphQLNamedType | null | undefined, page: number | null, introspection: boolean): SetCost => {
    const name = field.name.value;
    if (name === '__typename') return { nodes: 1, depth: 0 };
    const isIntro = introspection || name.startsWith('__');
    const def = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
    if (!def && name === '__schema') return withIntro(measureSet(field.selectionSet, schema.getType('__Schema'), null, true));
    if (!def && name === '__type') return withIntro(measureSet(field.selectionSet, schema.getType('__Type'), null, true));
    const returnsList = def ? isListType(getNullableType(def.type)) : false;
    const child = def ? getNamedType(def.type) : null;
    const own = def ? pageOf(field, def) : null;
    let rows = 1;
    let childPage: number | null = null;
    if (isIntro) {
      rows = 1; // sizes bounded by the schema
    } else if (own !== null) {
      if (returnsList) rows = own; // a simple collection
      else childPage = own; // a connection: its nodes/edges lists get the page
    } else if (returnsList) {
      rows = page ?? opts.defaultPage; // nodes/edges of the enclosing connection, or a list of unknown size
    }
    const sub = measureSet(field.selectionSet, child, childPage, isIntro);
    return { nodes: 1 + rows * sub.nodes, depth: isIntro ? 0 : 1 + sub.depth };
  };

  const withIntro = (c: SetCost): SetCost => ({ nodes: 1 + c.nodes, depth: 0 });

  const rootType =
    operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  const c = measureSet(operation.selectionSet, rootType, null, false);
  return { nodes: c.nodes, depth: c.depth, aliases };
}
