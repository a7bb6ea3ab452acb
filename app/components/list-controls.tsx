import { useCallback, useEffect, useRef, useState } from "react";
import { useSearchParams } from "@remix-run/react";
import { Box, Text } from "@shopify/polaris";

// What the Charges and Dunning lists share: search, filters and pages live in the URL (the
// embedded app's own parameters stay), a search waits for typing to pause, and pages are
// keyset cursors.

type ParamsChange = (next: URLSearchParams) => void;

/** Changes the list's URL parameters; any change starts again at the first page. */
export function useListParams(): (change: ParamsChange) => void {
  const [, setParams] = useSearchParams();
  return useCallback(
    (change: ParamsChange) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          next.delete("after");
          next.delete("before");
          change(next);
          return next;
        },
        { replace: true, preventScrollReset: true },
      ),
    [setParams],
  );
}

/** The search box's text, sent as `query` once the merchant stops typing for a moment. */
export function useListSearch(current: string, update: (change: ParamsChange) => void) {
  const [query, setQuery] = useState(current);
  const typing = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => setQuery(current), [current]);
  const search = (value: string) => {
    setQuery(value);
    clearTimeout(typing.current);
    typing.current = setTimeout(() => update((next) => (value.trim() ? next.set("query", value.trim()) : next.delete("query"))), 300);
  };
  return { query, search };
}

/** IndexTable's pagination for a keyset page. */
export function keysetPagination(page: { previousCursor: string | null; nextCursor: string | null; totalLabel: string }, update: (change: ParamsChange) => void) {
  return {
    hasPrevious: Boolean(page.previousCursor),
    hasNext: Boolean(page.nextCursor),
    onPrevious: () => page.previousCursor && update((next) => next.set("before", page.previousCursor as string)),
    onNext: () => page.nextCursor && update((next) => next.set("after", page.nextCursor as string)),
    label: page.totalLabel,
  };
}

/** A name or email search matched more customers than a page looks through. */
export function CustomersCutNotice() {
  return (
    <Box paddingInline={{ xs: "400", sm: "0" }}>
      <Text as="p" tone="subdued">
        Many customers match this search: only the first 500 of them are looked through. Type more of the name or email to narrow it.
      </Text>
    </Box>
  );
}
