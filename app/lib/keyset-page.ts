// Keyset pagination for the admin's lists: a page starts after (or ends before) the last row
// the merchant saw, by its sort values and id, so every page costs one bounded index range
// however deep it is (an offset would read and skip every row before it).

export type KeysetValue = Date | string | null;

/** The boundary row of a page: its sort values (an instant, a text, or null for "none") and its id. */
export interface KeysetCursor {
  values: KeysetValue[];
  id: number;
}

export interface KeysetOrder {
  /** The sort fields, most significant first; the row id breaks ties. */
  fields: string[];
  direction: "asc" | "desc";
  /** One nullable field: rows without a value come after all others. */
  nullable?: boolean;
}

/** Which side of a cursor a page is on: `after` pages forward, `before` pages back. */
export type PageRequest = { after?: KeysetCursor; before?: KeysetCursor };

function encodeValue(value: KeysetValue): string {
  if (value === null) return "n";
  if (value instanceof Date) return `t${value.getTime().toString(36)}`;
  // Sort texts are dates and codes ("2026-01-14"): letters, digits and dashes, as they are.
  if (!/^[0-9A-Za-z-]{1,40}$/.test(value)) throw new RangeError(`a keyset text must be letters, digits and dashes: ${value}`);
  return `s${value}`;
}

function decodeValue(text: string): KeysetValue | undefined {
  if (text === "n") return null;
  if (/^t-?[0-9a-z]{1,12}$/.test(text)) {
    const date = new Date(parseInt(text.slice(1), 36));
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  if (/^s[0-9A-Za-z-]{1,40}$/.test(text)) return text.slice(1);
  return undefined;
}

/** "s2026-01-14.tmkp0a1b2.4f" (texts as they are, instants and the id in base 36): what a page link carries. */
export function encodeCursor(cursor: KeysetCursor): string {
  return [...cursor.values.map(encodeValue), cursor.id.toString(36)].join(".");
}

/** The cursor a link carried, or undefined for anything a link could not have made. */
export function decodeCursor(text: string | null | undefined): KeysetCursor | undefined {
  if (!text || text.length > 200) return undefined;
  const parts = text.split(".");
  if (parts.length < 2 || parts.length > 4) return undefined;
  const idText = parts.pop() as string;
  const id = /^[0-9a-z]{1,7}$/.test(idText) ? parseInt(idText, 36) : NaN;
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) return undefined;
  const values = parts.map(decodeValue);
  return values.some((value) => value === undefined) ? undefined : { values: values as KeysetValue[], id };
}

/**
 * The where, orderBy and take of one page (Prisma's shapes), and whether the rows come back
 * reversed (a `before` page reads backwards from its cursor). Nulls sort last. A cursor of
 * another order (a link made before the sort changed) is ignored.
 */
export function keysetQuery(order: KeysetOrder, page: PageRequest, pageSize: number) {
  const backwards = Boolean(page.before && !page.after);
  const given = backwards ? page.before : page.after;
  const cursor = given && given.values.length === order.fields.length ? given : undefined;
  const read: "asc" | "desc" = backwards ? (order.direction === "asc" ? "desc" : "asc") : order.direction;
  // Nulls last in the list: read last going forwards, first going back.
  const nulls = order.nullable && order.fields.length === 1 ? (backwards ? "first" : "last") : undefined;
  const beyond = read === "asc" ? "gt" : "lt";
  let where: Record<string, unknown> | undefined;
  if (cursor && nulls) {
    const [field] = order.fields;
    const [value] = cursor.values;
    if (value === null) {
      // Among the nulls, ids go on; reading back into the values, all of them come.
      where = nulls === "last" ? { [field]: null, id: { [beyond]: cursor.id } } : { OR: [{ [field]: { not: null } }, { [field]: null, id: { [beyond]: cursor.id } }] };
    } else {
      where = { OR: [{ [field]: { [beyond]: value } }, { [field]: value, id: { [beyond]: cursor.id } }, ...(nulls === "last" ? [{ [field]: null }] : [])] };
    }
  } else if (cursor) {
    // (f1, f2, ..., id) beyond the cursor's: f1 beyond, or f1 equal and f2 beyond, ...
    const equalUpTo = (count: number) => Object.fromEntries(order.fields.slice(0, count).map((field, i) => [field, cursor.values[i]]));
    where = {
      OR: [
        ...order.fields.map((field, i) => ({ ...equalUpTo(i), [field]: { [beyond]: cursor.values[i] } })),
        { ...equalUpTo(order.fields.length), id: { [beyond]: cursor.id } },
      ],
    };
  }
  return {
    where,
    orderBy: [...order.fields.map((field) => ({ [field]: nulls ? { sort: read, nulls } : read })), { id: read }],
    take: pageSize + 1,
    backwards,
  };
}

export interface Page<T> {
  rows: T[];
  /** Links to the next and previous pages, when there are such pages. */
  nextCursor: string | null;
  previousCursor: string | null;
}

/** The page from what keysetQuery's query returned (one row more than the page, to know if more follow). */
export function pageOf<T extends { id: number }>(
  fetched: T[],
  query: { backwards: boolean; take: number },
  page: PageRequest,
  valuesOf: (row: T) => KeysetValue[],
): Page<T> {
  const pageSize = query.take - 1;
  const more = fetched.length > pageSize;
  const rows = fetched.slice(0, pageSize);
  if (query.backwards) rows.reverse();
  const cursorOf = (row: T | undefined) => (row ? encodeCursor({ values: valuesOf(row), id: row.id }) : null);
  const hasNext = query.backwards ? true : more;
  const hasPrevious = query.backwards ? more : Boolean(page.after);
  return {
    rows,
    nextCursor: hasNext && rows.length > 0 ? cursorOf(rows[rows.length - 1]) : null,
    previousCursor: hasPrevious && rows.length > 0 ? cursorOf(rows[0]) : null,
  };
}
