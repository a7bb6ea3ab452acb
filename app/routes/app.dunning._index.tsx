import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  Box,
  BlockStack,
  Card,
  DataTable,
  EmptyState,
  InlineGrid,
  Layout,
  Link,
  Page,
  Text,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import {
  dismissNotification,
  getDunningOverview,
  type DunningOverview,
  type NotificationView,
  type TrackerRow,
} from "../dunning/dunning-views.server";
import { readFormFields } from "../http/form-fields.server";
import { parseRowId } from "../http/row-id";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { overview: await getDunningOverview(session.shop, new Date()) };
};

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

export default function DunningPage() {
  const { overview } = useLoaderData<typeof loader>();
  const nothing = overview.openTotal === 0 && overview.closedTotal === 0 && overview.notifications.length === 0;
  return (
    <Page>
      <TitleBar title="Dunning" />
      <Layout>
        {overview.notifications.length > 0 ? (
          <Layout.Section>
            <BlockStack gap="300">
              {overview.notifications.map((notification) => (
                <NotificationBanner key={notification.id} notification={notification} />
              ))}
            </BlockStack>
          </Layout.Section>
        ) : null}
        {nothing ? (
          <Layout.Section>
            <Card>
              <EmptyState
                heading="No failed payments to follow up"
                image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png"
              >
                <p>
                  When a subscription charge fails, the app retries it on the schedule in the dunning settings and
                  shows its progress here.
                </p>
              </EmptyState>
            </Card>
          </Layout.Section>
        ) : (
          <>
            <Layout.Section>
              <Summary overview={overview} />
            </Layout.Section>
            <Layout.Section>
              <Card padding="0">
                <BlockStack gap="200">
                  <Box padding="400" paddingBlockEnd="0">
                    <Text as="h2" variant="headingMd">
                      Being followed up ({overview.openTotal})
                    </Text>
                  </Box>
                  {overview.openTrackers.length > 0 ? (
                    <DataTable
                      columnContentTypes={["text", "numeric", "text", "numeric", "text", "text"]}
                      headings={["Contract", "Cycle", "Status", "Attempts", "Last error", "Next step"]}
                      rows={overview.openTrackers.map((tracker) => [
                        <TrackerLink key="contract" tracker={tracker} />,
                        tracker.billingCycleIndex,
                        <Badge key="status" tone={tracker.statusTone}>
                          {tracker.statusLabel}
                        </Badge>,
                        tracker.attemptCount,
                        describeError(tracker),
                        <Wrapping key="next">{tracker.nextStep ?? ""}</Wrapping>,
                      ])}
                      verticalAlign="top"
                    />
                  ) : (
                    <Box padding="400" paddingBlockStart="0">
                      <Text as="p" tone="subdued">
                        No failed payment is being followed up.
                      </Text>
                    </Box>
                  )}
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <Card padding="0">
                <BlockStack gap="200">
                  <Box padding="400" paddingBlockEnd="0">
                    <Text as="h2" variant="headingMd">
                      Closed in the last {overview.windowDays} days ({overview.closedTotal})
                    </Text>
                  </Box>
                  {overview.closedTrackers.length > 0 ? (
                    <DataTable
                      columnContentTypes={["text", "numeric", "text", "text", "text"]}
                      headings={["Contract", "Cycle", "Outcome", "Closed", "Reason"]}
                      rows={overview.closedTrackers.map((tracker) => [
                        <TrackerLink key="contract" tracker={tracker} />,
                        tracker.billingCycleIndex,
                        <Badge key="status" tone={tracker.statusTone}>
                          {tracker.statusLabel}
                        </Badge>,
                        tracker.completedAtLocal ?? "",
                        <Wrapping key="reason">{tracker.completedReason ?? ""}</Wrapping>,
                      ])}
                      verticalAlign="top"
                    />
                  ) : (
                    <Box padding="400" paddingBlockStart="0">
                      <Text as="p" tone="subdued">
                        Nothing closed in the last {overview.windowDays} days.
                      </Text>
                    </Box>
                  )}
                </BlockStack>
              </Card>
            </Layout.Section>
          </>
        )}
      </Layout>
    </Page>
  );
}

function Summary({ overview }: { overview: DunningOverview }) {
  const rate = overview.recoveryRate === null ? "—" : `${Math.round(overview.recoveryRate * 100)}%`;
  const recovered = overview.recoveredAmounts.map((entry) => entry.display).join(", ") || "Nothing yet";
  const open = overview.openCounts;
  const closed = overview.closedCounts;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Last {overview.windowDays} days
        </Text>
        <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
          <BlockStack gap="100">
            <Text as="p" tone="subdued">
              Recovery rate
            </Text>
            <Text as="p" variant="headingLg" data-testid="recovery-rate">
              {rate}
            </Text>
            <Text as="p" tone="subdued" variant="bodySm">
              Recovered out of recovered, exhausted and stopped.
            </Text>
          </BlockStack>
          <BlockStack gap="100">
            <Text as="p" tone="subdued">
              Recovered revenue
            </Text>
            <Text as="p" variant="headingLg" data-testid="recovered-amounts">
              {recovered}
            </Text>
          </BlockStack>
          <BlockStack gap="100">
            <Text as="p" tone="subdued">
              Trackers
            </Text>
            <Text as="p" data-testid="open-counts">
              Open: {open.OPEN} retrying, {open.WAITING_FOR_PAYMENT_METHOD} waiting for a payment method,{" "}
              {open.ACTION_REQUIRED} needing 3-D Secure
            </Text>
            <Text as="p" data-testid="closed-counts">
              Closed: {closed.RECOVERED} recovered, {closed.EXHAUSTED} exhausted, {closed.STOPPED} stopped,{" "}
              {closed.ABANDONED} abandoned
            </Text>
          </BlockStack>
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}

const NOTIFICATION_KINDS: Record<string, { title: string; tone: "warning" | "critical" | "info" }> = {
  INVENTORY_FAILURE: { title: "Out of stock", tone: "warning" },
  DUNNING_STOPPED: { title: "Dunning stopped", tone: "critical" },
  CUSTOMER_ACTION_REQUIRED: { title: "Customer must complete 3-D Secure", tone: "warning" },
  CUSTOMER_DATA_REQUEST: { title: "A customer asked for their data", tone: "info" },
};

function NotificationBanner({ notification }: { notification: NotificationView }) {
  const fetcher = useFetcher<typeof action>();
  // Hidden as soon as the merchant dismisses it; the loader stops returning it once saved.
  if (fetcher.state !== "idle" || fetcher.data?.ok) return null;
  const kind = NOTIFICATION_KINDS[notification.kind] ?? { title: "Dunning", tone: "info" as const };
  return (
    <Banner
      title={kind.title}
      tone={kind.tone}
      onDismiss={() => fetcher.submit({ intent: "dismiss", id: String(notification.id) }, { method: "post" })}
      action={notification.trackerId ? { content: "View history", url: `/app/dunning/${notification.trackerId}` } : undefined}
    >
      <BlockStack gap="100">
        <Text as="p">{notification.message}</Text>
        <Text as="p" tone="subdued" variant="bodySm">
          {notification.createdAtLocal}
        </Text>
      </BlockStack>
    </Banner>
  );
}

function TrackerLink({ tracker }: { tracker: TrackerRow }) {
  return (
    <Link url={`/app/dunning/${tracker.id}`} removeUnderline>
      {tracker.contractNumber}
    </Link>
  );
}

/** DataTable cells do not wrap; long sentences do here. */
function Wrapping({ children }: { children: string }) {
  return <div style={{ whiteSpace: "normal", minWidth: "14rem", maxWidth: "24rem" }}>{children}</div>;
}

function describeError(tracker: TrackerRow): string {
  if (!tracker.lastErrorCode) return tracker.lastErrorClass ? tracker.lastErrorClass.toLowerCase() : "—";
  return tracker.lastErrorClass ? `${tracker.lastErrorCode} (${tracker.lastErrorClass.toLowerCase()})` : tracker.lastErrorCode;
}
