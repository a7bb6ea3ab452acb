import { useEffect, useState } from "react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Card,
  EmptySearchResult,
  IndexFilters,
  IndexTable,
  InlineStack,
  Link,
  Text,
  TextField,
  useBreakpoints,
  useSetIndexFiltersMode,
  IndexFiltersMode,
} from "@shopify/polaris";
import { AdminPage } from "../components/admin-page";
import { CHARGE_OUTCOME_KEYS, CHARGE_OUTCOMES } from "../charges/charge-outcomes";
import { getChargesPage, parseChargesQuery, type ChargeRow } from "../charges/charge-views.server";
import { describeDecline } from "../dunning/decline-descriptions";
import { merchantLocale } from "../http/merchant-locale";
import { CustomersCutNotice, keysetPagination, useListParams, useListSearch } from "../components/list-controls";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { filters, page } = parseChargesQuery(new URL(request.url).searchParams);
  return { charges: await getChargesPage(session.shop, filters, page, { now: new Date(), locale: merchantLocale(request) }) };
};

type Charges = ReturnType<typeof useLoaderData<typeof loader>>["charges"];

export default function ChargesPage() {
  const { charges } = useLoaderData<typeof loader>();
  const update = useListParams();
  const navigation = useNavigation();
  // The outcome tabs (with their counts) show until the merchant searches or filters.
  const searching = Boolean(charges.filters.query || charges.filters.from || charges.filters.to || charges.filters.contract);
  const { mode, setMode } = useSetIndexFiltersMode(searching ? IndexFiltersMode.Filtering : IndexFiltersMode.Default);
  const { smDown } = useBreakpoints();
  const { query, search } = useListSearch(charges.filters.query, update);
  const outcome = charges.filters.outcomes.length === 1 ? charges.filters.outcomes[0] : null;
  const tabs = [
    { id: "all", content: "All", badge: charges.countLabels.all },
    ...CHARGE_OUTCOME_KEYS.map((key) => ({ id: key, content: CHARGE_OUTCOMES[key].label, badge: charges.countLabels[key] })),
  ];
  const selectedTab = outcome ? CHARGE_OUTCOME_KEYS.indexOf(outcome) + 1 : 0;

  const appliedFilters = [
    ...(charges.dateRangeLabel
      ? [{ key: "date", label: `Date: ${charges.dateRangeLabel}`, onRemove: () => update((next) => (next.delete("from"), next.delete("to"))) }]
      : []),
    ...(charges.filters.contract
      ? [{ key: "contract", label: `Contract #${charges.filters.contract}`, onRemove: () => update((next) => next.delete("contract")) }]
      : []),
  ];

  return (
    <AdminPage title="Charges">
      <BlockStack gap="300">
        <Box paddingInline={{ xs: "400", sm: "0" }}>
          <Text as="p" tone="subdued">
            Every charge the app asked Shopify for, first charges and dunning retries, newest first. Times are the shop&apos;s ({charges.timeZoneName}).
          </Text>
        </Box>
        <Card padding="0">
          <IndexFilters
            tabs={tabs}
            selected={selectedTab}
            onSelect={(index) => update((next) => (next.delete("outcome"), index > 0 && next.set("outcome", CHARGE_OUTCOME_KEYS[index - 1])))}
            queryValue={query}
            queryPlaceholder="Customer, email, contract or order"
            onQueryChange={search}
            onQueryClear={() => search("")}
            filters={[
              {
                key: "date",
                label: "Date",
                pinned: true,
                filter: <DateRangeFilter from={charges.filters.from} to={charges.filters.to} onChange={(from, to) => update((next) => setRange(next, from, to))} />,
              },
            ]}
            appliedFilters={appliedFilters}
            onClearAll={() => update((next) => ["from", "to", "contract", "outcome"].forEach((key) => next.delete(key)))}
            mode={mode}
            setMode={setMode}
            cancelAction={{ onAction: () => search(""), disabled: false, loading: false }}
            canCreateNewView={false}
            loading={navigation.state === "loading"}
            disableKeyboardShortcuts
          />
          <IndexTable
            resourceName={{ singular: "charge", plural: "charges" }}
            itemCount={charges.rows.length}
            selectable={false}
            condensed={smDown}
            loading={navigation.state === "loading"}
            emptyState={<EmptySearchResult title="No charges found" description={emptyDescription(charges)} withIllustration />}
            headings={[
              { title: "Date" },
              { title: "Customer" },
              { title: "Contract" },
              { title: "Outcome" },
              { title: "Amount", alignment: "end" },
              { title: "Order" },
            ]}
            pagination={keysetPagination(charges, update)}
          >
            {charges.rows.map((row, index) => (smDown ? <CondensedRow key={row.id} row={row} index={index} /> : <ChargeRowCells key={row.id} row={row} index={index} />))}
          </IndexTable>
        </Card>
        {charges.customersCut ? <CustomersCutNotice /> : null}
      </BlockStack>
    </AdminPage>
  );
}

function setRange(params: URLSearchParams, from: string, to: string) {
  if (from) params.set("from", from);
  else params.delete("from");
  if (to) params.set("to", to);
  else params.delete("to");
}

function emptyDescription(charges: Charges): string {
  if (charges.filters.query) return "No charge matches this search. Try part of the name, the email, or a contract or order number.";
  if (charges.filters.outcomes.length || charges.dateRangeLabel || charges.filters.contract) return "No charge matches these filters.";
  return "Charges appear here once the first billing run has charged a subscription.";
}

function DateRangeFilter({ from, to, onChange }: { from: string | null; to: string | null; onChange: (from: string, to: string) => void }) {
  const [start, setStart] = useState(from ?? "");
  const [end, setEnd] = useState(to ?? "");
  useEffect(() => setStart(from ?? ""), [from]);
  useEffect(() => setEnd(to ?? ""), [to]);
  return (
    <BlockStack gap="200">
      <TextField label="From" type="date" value={start} autoComplete="off" onChange={(value) => (setStart(value), onChange(value, end))} />
      <TextField label="To" type="date" value={end} autoComplete="off" onChange={(value) => (setEnd(value), onChange(start, value))} />
    </BlockStack>
  );
}

function Outcome({ row }: { row: ChargeRow }) {
  const why = row.outcome === "failed" ? describeDecline(row.errorCode) : row.refusal;
  return (
    <BlockStack gap="100">
      <span>
        <Badge tone={row.outcomeTone}>{row.outcomeLabel}</Badge>
      </span>
      {why ? (
        <Text as="span" variant="bodySm" tone="subdued">
          {why}
        </Text>
      ) : null}
    </BlockStack>
  );
}

function Customer({ row }: { row: ChargeRow }) {
  if (!row.customer) return <Text as="span" tone="subdued">Not known yet</Text>;
  return (
    <BlockStack gap="050">
      {row.customer.adminUrl ? (
        <Link url={row.customer.adminUrl} removeUnderline>
          {row.customer.name}
        </Link>
      ) : (
        <Text as="span">{row.customer.name}</Text>
      )}
      {row.customer.email && row.customer.email !== row.customer.name ? (
        <Text as="span" variant="bodySm" tone="subdued" breakWord>
          {row.customer.email}
        </Text>
      ) : null}
    </BlockStack>
  );
}

function Contract({ row }: { row: ChargeRow }) {
  return (
    <BlockStack gap="050">
      <Link url={row.contractUrl} removeUnderline>
        #{row.contractNumber}
      </Link>
      <Text as="span" variant="bodySm" tone="subdued">
        {row.attempt}, cycle {row.billingCycleIndex}
        {row.trackerUrl ? (
          <>
            {" · "}
            <Link url={row.trackerUrl} removeUnderline>
              dunning
            </Link>
          </>
        ) : null}
      </Text>
    </BlockStack>
  );
}

function Order({ row }: { row: ChargeRow }) {
  return row.order ? (
    <Link url={row.order.adminUrl} removeUnderline>
      Order {row.order.number}
    </Link>
  ) : (
    <Text as="span" tone="subdued">
      —
    </Text>
  );
}

function ChargeRowCells({ row, index }: { row: ChargeRow; index: number }) {
  return (
    <IndexTable.Row id={String(row.id)} position={index}>
      <IndexTable.Cell>
        <Text as="span">{row.date}</Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Customer row={row} />
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Contract row={row} />
      </IndexTable.Cell>
      <IndexTable.Cell>
        <div style={{ whiteSpace: "normal", minWidth: "12rem", maxWidth: "22rem" }}>
          <Outcome row={row} />
        </div>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {row.amount ?? "—"}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Order row={row} />
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}

/** A phone-width row: the same facts stacked. */
function CondensedRow({ row, index }: { row: ChargeRow; index: number }) {
  return (
    <IndexTable.Row id={String(row.id)} position={index}>
      <div style={{ padding: "12px 16px", width: "100%" }}>
        <BlockStack gap="200">
          <InlineStack align="space-between" blockAlign="start" wrap={false} gap="200">
            <Customer row={row} />
            <Text as="span" numeric>
              {row.amount ?? ""}
            </Text>
          </InlineStack>
          <Text as="span" variant="bodySm" tone="subdued">
            {row.date}
          </Text>
          <Outcome row={row} />
          <InlineStack gap="400" wrap blockAlign="start">
            <Contract row={row} />
            {row.order ? <Order row={row} /> : null}
          </InlineStack>
        </BlockStack>
      </div>
    </IndexTable.Row>
  );
}
