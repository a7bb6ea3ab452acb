import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Card,
  ChoiceList,
  EmptySearchResult,
  IndexFilters,
  IndexFiltersMode,
  IndexTable,
  InlineGrid,
  InlineStack,
  Link,
  Text,
  useBreakpoints,
  useSetIndexFiltersMode,
} from "@shopify/polaris";
import { AdminPage } from "../components/admin-page";
import { DECLINE_CATEGORY_LABELS } from "../dunning/decline-descriptions";
import { DECLINE_CATEGORIES, TRACKER_SORTS, TRACKER_STATUS_LABELS, TRACKER_TABS, type TrackerSort, type TrackerTab } from "../dunning/dunning-list-options";
import { dismissNotification, getTrackerList, parseTrackerListQuery, type TrackerListPage, type TrackerListRow } from "../dunning/dunning-views.server";
import { readFormFields } from "../http/form-fields.server";
import { merchantLocale } from "../http/merchant-locale";
import { parseRowId } from "../http/row-id";
import { CustomersCutNotice, keysetPagination, useListParams, useListSearch } from "../components/list-controls";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { list, page } = parseTrackerListQuery(new URL(request.url).searchParams);
  return { trackers: await getTrackerList(session.shop, list, page, { now: new Date(), locale: merchantLocale(request) }) };
};

/** Dismisses a merchant notice (the overview lists them; kept here for links that post to this page). */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await readFormFields(request);
  if (form.intent !== "dismiss") return data({ ok: false, error: "Unknown action." }, { status: 400 });
  const id = parseRowId(form.id);
  if (!id) return data({ ok: false, error: "Which notification?" }, { status: 400 });
  const dismissed = await dismissNotification(session.shop, id, new Date());
  // Already dismissed (another tab) or not this shop's: either way it is not shown any more.
  return { ok: true, dismissed };
};

const TAB_KEYS = Object.keys(TRACKER_TABS) as TrackerTab[];
const SORT_KEYS = Object.keys(TRACKER_SORTS) as TrackerSort[];

export default function DunningPage() {
  const { trackers } = useLoaderData<typeof loader>();
  const update = useListParams();
  const navigation = useNavigation();
  // The tabs (with their counts) show until the merchant searches or filters.
  const searching = Boolean(trackers.list.query || trackers.list.statuses.length || trackers.list.categories.length);
  const { mode, setMode } = useSetIndexFiltersMode(searching ? IndexFiltersMode.Filtering : IndexFiltersMode.Default);
  const { smDown } = useBreakpoints();
  const { query, search } = useListSearch(trackers.list.query, update);
  const setAll = (key: string, values: string[]) =>
    update((next) => {
      next.delete(key);
      values.forEach((value) => next.append(key, value));
    });

  const { list } = trackers;
  const statusChoices = TRACKER_TABS[list.tab].statuses.map((status) => ({ label: TRACKER_STATUS_LABELS[status].label, value: status }));
  const appliedFilters = [
    ...(list.statuses.length
      ? [{ key: "status", label: `Status: ${list.statuses.map((status) => TRACKER_STATUS_LABELS[status]?.label).join(", ")}`, onRemove: () => setAll("status", []) }]
      : []),
    ...(list.categories.length
      ? [{ key: "category", label: `Decline: ${list.categories.map((category) => DECLINE_CATEGORY_LABELS[category]).join(", ")}`, onRemove: () => setAll("category", []) }]
      : []),
  ];

  return (
    <AdminPage title="Dunning">
      <BlockStack gap="400">
        <Summary summary={trackers.summary} />
        <Card padding="0">
          <IndexFilters
            tabs={TAB_KEYS.map((key) => ({ id: key, content: TRACKER_TABS[key].label, badge: trackers.tabCountLabels[key] }))}
            selected={TAB_KEYS.indexOf(list.tab)}
            onSelect={(index) => update((next) => (next.set("tab", TAB_KEYS[index]), next.delete("status")))}
            sortOptions={SORT_KEYS.map((key) => ({ label: TRACKER_SORTS[key].label, value: key, directionLabel: TRACKER_SORTS[key].direction }))}
            sortSelected={[list.sort]}
            onSort={([value]) => update((next) => next.set("sort", value))}
            queryValue={query}
            queryPlaceholder="Customer, email or contract"
            onQueryChange={search}
            onQueryClear={() => search("")}
            filters={[
              {
                key: "status",
                label: "Status",
                pinned: true,
                filter: (
                  <ChoiceList title="Status" titleHidden allowMultiple choices={statusChoices} selected={list.statuses} onChange={(values) => setAll("status", values)} />
                ),
              },
              {
                key: "category",
                label: "Decline",
                pinned: true,
                filter: (
                  <ChoiceList
                    title="Decline"
                    titleHidden
                    allowMultiple
                    choices={DECLINE_CATEGORIES.map((category) => ({ label: DECLINE_CATEGORY_LABELS[category], value: category }))}
                    selected={list.categories}
                    onChange={(values) => setAll("category", values)}
                  />
                ),
              },
            ]}
            appliedFilters={appliedFilters}
            onClearAll={() => update((next) => ["status", "category"].forEach((key) => next.delete(key)))}
            mode={mode}
            setMode={setMode}
            cancelAction={{ onAction: () => search(""), disabled: false, loading: false }}
            canCreateNewView={false}
            loading={navigation.state === "loading"}
            disableKeyboardShortcuts
          />
          <IndexTable
            resourceName={{ singular: "failed payment", plural: "failed payments" }}
            itemCount={trackers.rows.length}
            selectable={false}
            condensed={smDown}
            loading={navigation.state === "loading"}
            emptyState={<EmptySearchResult title="No failed payments here" description={emptyDescription(trackers)} withIllustration />}
            headings={[{ title: "Customer" }, { title: "Contract" }, { title: "Status" }, { title: "Decline" }, { title: "Amount", alignment: "end" }, { title: "Next step" }]}
            pagination={keysetPagination(trackers, update)}
          >
            {trackers.rows.map((row, index) => (smDown ? <CondensedRow key={row.id} row={row} index={index} /> : <TrackerRowCells key={row.id} row={row} index={index} />))}
          </IndexTable>
        </Card>
        {trackers.customersCut ? <CustomersCutNotice /> : null}
      </BlockStack>
    </AdminPage>
  );
}

function emptyDescription(trackers: TrackerListPage): string {
  if (trackers.list.query) return "No failed payment matches this search. Try part of the customer's name or email, or a contract number.";
  if (trackers.list.statuses.length || trackers.list.categories.length) return "No failed payment matches these filters.";
  if (trackers.list.tab === "open") return "No failed payment is being followed up. When a charge fails, it appears here with its next retry.";
  return "When a subscription charge fails, the app retries it on your dunning settings and lists it here.";
}

function Summary({ summary }: { summary: TrackerListPage["summary"] }) {
  const recovered = summary.recoveredAmounts.map((entry) => entry.display).join(", ") || "Nothing yet";
  return (
    <Card>
      <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingSm" tone="subdued">
            Recovered in the last {summary.windowDays} days
          </Text>
          <Text as="p" variant="headingLg" data-testid="recovered-amounts">
            {recovered}
          </Text>
        </BlockStack>
        <BlockStack gap="100">
          <Text as="h2" variant="headingSm" tone="subdued">
            Recovery rate
          </Text>
          <Text as="p" variant="headingLg" data-testid="recovery-rate">
            {summary.recoveryRateLabel ?? "—"}
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            Recovered out of recovered, exhausted and stopped.
          </Text>
        </BlockStack>
        <BlockStack gap="100">
          <Text as="h2" variant="headingSm" tone="subdued">
            Being followed up
          </Text>
          <Text as="p" variant="headingLg">
            {summary.openTotalLabel}
          </Text>
        </BlockStack>
      </InlineGrid>
    </Card>
  );
}

function CustomerCell({ row }: { row: TrackerListRow }) {
  return (
    <BlockStack gap="050">
      <Link url={`/app/dunning/${row.id}`} removeUnderline dataPrimaryLink>
        {row.customer?.name ?? `Contract #${row.contractNumber}`}
      </Link>
      {row.customer?.email ? (
        <Text as="span" variant="bodySm" tone="subdued" breakWord>
          {row.customer.email}
        </Text>
      ) : null}
    </BlockStack>
  );
}

function Decline({ row }: { row: TrackerListRow }) {
  if (!row.declineCategory) return <Text as="span" tone="subdued">—</Text>;
  return (
    <BlockStack gap="050">
      <Text as="span">{row.declineCategory}</Text>
      {row.lastError ? (
        <Text as="span" variant="bodySm" tone="subdued">
          {row.lastError}
        </Text>
      ) : null}
    </BlockStack>
  );
}

function TrackerRowCells({ row, index }: { row: TrackerListRow; index: number }) {
  return (
    <IndexTable.Row id={String(row.id)} position={index}>
      <IndexTable.Cell>
        <CustomerCell row={row} />
      </IndexTable.Cell>
      <IndexTable.Cell>
        <BlockStack gap="050">
          <Text as="span">#{row.contractNumber}</Text>
          <Text as="span" variant="bodySm" tone="subdued">
            Cycle {row.billingCycleIndex}
          </Text>
        </BlockStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Badge tone={row.statusTone}>{row.statusLabel}</Badge>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <div style={{ whiteSpace: "normal", minWidth: "10rem", maxWidth: "18rem" }}>
          <Decline row={row} />
        </div>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {row.amount ?? "—"}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <div style={{ whiteSpace: "normal", minWidth: "12rem", maxWidth: "20rem" }}>
          <Text as="span">{row.nextStep}</Text>
        </div>
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}

/** A phone-width row: the same facts stacked. */
function CondensedRow({ row, index }: { row: TrackerListRow; index: number }) {
  return (
    <IndexTable.Row id={String(row.id)} position={index}>
      <div style={{ padding: "12px 16px", width: "100%" }}>
        <BlockStack gap="150">
          <InlineStack align="space-between" blockAlign="start" wrap={false} gap="200">
            <CustomerCell row={row} />
            <Text as="span" numeric>
              {row.amount ?? ""}
            </Text>
          </InlineStack>
          <InlineStack gap="200" blockAlign="center">
            <Badge tone={row.statusTone}>{row.statusLabel}</Badge>
            <Text as="span" variant="bodySm" tone="subdued">
              #{row.contractNumber}, cycle {row.billingCycleIndex}
              {row.declineCategory ? ` · ${row.declineCategory}` : ""}
            </Text>
          </InlineStack>
          <Text as="span" variant="bodySm">
            {row.nextStep}
          </Text>
        </BlockStack>
      </div>
    </IndexTable.Row>
  );
}
