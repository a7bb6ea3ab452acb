import { GraphQLError } from "graphql";

// Relay connections as Shopify pages them: first/after or last/before over a sorted list,
// opaque cursors, and an error when neither first nor last is given.

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface Connection<Node> {
  edges: Array<{ cursor: string; node: Node }>;
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const MAX_PAGE_SIZE = 250;

export function encodeCursor(key: string | number): string {
  return Buffer.from(JSON.stringify({ last_id: key })).toString("base64url");
}

function decodeCursor(cursor: string): unknown {
  try {
    return (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { last_id?: unknown }).last_id;
  } catch {
    return undefined;
  }
}

/**
 * One page of `items` (already sorted), keyed for cursors by `keyOf`. Nodes are built
 * only for the page, so views of unreturned items cost nothing.
 */
export function paginate<Item, Node>(
  items: readonly Item[],
  args: ConnectionArgs,
  keyOf: (item: Item) => string | number,
  toNode: (item: Item) => Node,
): Connection<Node> {
  const first = args.first ?? undefined;
  const last = args.last ?? undefined;
  if (first === undefined && last === undefined) throw new GraphQLError("you must provide one of first or last");
  for (const size of [first, last]) {
    if (size !== undefined && (size < 0 || size > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`The page size must be between 0 and ${MAX_PAGE_SIZE}.`);
    }
  }
  let window = args.reverse ? [...items].reverse() : [...items];
  let hasPreviousPage = false;
  let hasNextPage = false;
  if (args.after) {
    const key = decodeCursor(args.after);
    const at = window.findIndex((item) => keyOf(item) === key);
    hasPreviousPage = at >= 0;
    window = at >= 0 ? window.slice(at + 1) : [];
  }
  if (args.before) {
    const key = decodeCursor(args.before);
    const at = window.findIndex((item) => keyOf(item) === key);
    if (at >= 0) {
      hasNextPage = true;
      window = window.slice(0, at);
    }
  }
  if (first !== undefined && window.length > first) {
    hasNextPage = true;
    window = window.slice(0, first);
  }
  if (last !== undefined && window.length > last) {
    hasPreviousPage = true;
    window = window.slice(window.length - last);
  }
  const edges = window.map((item) => ({ cursor: encodeCursor(keyOf(item)), node: toNode(item) }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
