// Shopify's search syntax for a connection's `query` argument, the subset apps use:
// `field:value`, comparators (`field:>=2026-01-01`), `-field:value` / `NOT`, implicit AND,
// and `OR` between terms. No parentheses. Terms on fields the connection does not
// document are ignored and reported as warnings, as Shopify does in `extensions.search`.

export type SearchFieldValue = string | number | Date | null;

export interface SearchWarning {
  field: string;
  message: string;
}

interface SearchTerm {
  field: string;
  comparator: "=" | "<" | "<=" | ">" | ">=";
  value: string;
  negated: boolean;
}

function tokenize(query: string): string[] {
  return [...query.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((match) => match[0]);
}

function parseTerm(token: string, negated: boolean): SearchTerm | undefined {
  const colon = token.indexOf(":");
  if (colon <= 0) return undefined;
  const rest = token.slice(colon + 1);
  const comparator = /^(<=|>=|<|>)/.exec(rest)?.[1] as SearchTerm["comparator"] | undefined;
  const value = rest.slice(comparator?.length ?? 0).replace(/^"(.*)"$/, "$1");
  return { field: token.slice(0, colon).toLowerCase(), comparator: comparator ?? "=", value, negated };
}

/** OR-separated groups of AND-ed terms. */
function parseSearch(query: string): { groups: SearchTerm[][]; freeText: string[] } {
  const groups: SearchTerm[][] = [[]];
  const freeText: string[] = [];
  let negateNext = false;
  for (const token of tokenize(query)) {
    if (token === "OR") {
      groups.push([]);
      continue;
    }
    if (token === "AND") continue;
    if (token === "NOT") {
      negateNext = true;
      continue;
    }
    const negated = negateNext || token.startsWith("-");
    negateNext = false;
    const term = parseTerm(token.replace(/^-/, ""), negated);
    if (term) groups.at(-1)!.push(term);
    else freeText.push(token);
  }
  return { groups: groups.filter((group) => group.length > 0), freeText };
}

function compare(actual: SearchFieldValue, term: SearchTerm): boolean {
  if (actual === null) return false;
  let left: number | string;
  let right: number | string;
  if (actual instanceof Date) {
    left = actual.getTime();
    right = new Date(term.value).getTime();
  } else if (typeof actual === "number") {
    left = actual;
    right = Number(term.value);
  } else {
    left = actual.toLowerCase();
    right = term.value.toLowerCase();
  }
  if (typeof right === "number" && Number.isNaN(right)) return false;
  switch (term.comparator) {
    case "=":
      return left === right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
  }
}

/** The items matching `query`, filtering on the documented `fields` only. */
export function filterBySearch<Item>(
  items: readonly Item[],
  query: string | null | undefined,
  fields: Record<string, (item: Item) => SearchFieldValue>,
): { items: Item[]; warnings: SearchWarning[] } {
  if (!query?.trim()) return { items: [...items], warnings: [] };
  const { groups, freeText } = parseSearch(query);
  const warnings: SearchWarning[] = freeText.map((text) => ({ field: "default", message: `Free text search is not supported: ${text}` }));
  const known = groups.map((group) =>
    group.filter((term) => {
      if (fields[term.field]) return true;
      warnings.push({ field: term.field, message: "Invalid search field for this query." });
      return false;
    }),
  );
  const active = known.filter((group) => group.length > 0);
  if (active.length === 0) return { items: [...items], warnings };
  const matches = (item: Item) =>
    active.some((group) => group.every((term) => compare(fields[term.field]!(item), term) !== term.negated));
  return { items: items.filter(matches), warnings };
}
