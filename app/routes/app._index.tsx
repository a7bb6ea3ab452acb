import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, Divider, InlineGrid, InlineStack, Layout, Link, Text } from "@shopify/polaris";
import { AdminPage } from "../components/admin-page";
import { RunsChart } from "../components/runs-chart";
import { dismissMerchantAttention } from "../dunning/merchant-attention.server";
import { readFormFields } from "../http/form-fields.server";
import { merchantLocale } from "../http/merchant-locale";
import { parseRowId } from "../http/row-id";
import { getOverview, type AttentionLine, type OverviewView, type ReconciliationView, type RecoveryView } from "../overview/overview.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  return getOverview(session.shop, admin.graphql, { now: new Date(), locale: merchantLocale(request) });
};

/** Dismisses one line of "Needs your attention". */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { intent, id } = await readFormFields(request);
  const noticeId = parseRowId(id);
  if (intent !== "dismiss" || noticeId === undefined) return data({ ok: false as const, error: "Nothing to dismiss." }, { status: 400 });
  return { ok: true as const, dismissed: await dismissMerchantAttention(session.shop, noticeId, new Date()) };
};

export default function Overview() {
  const { overview } = useLoaderData<typeof loader>();
  return (
    <AdminPage title="Overview">
      <Layout>
        <Layout.Section>
          <BillingCard billing={overview.billing} />
        </Layout.Section>
        <Layout.Section>
          <AttentionCard attention={overview.attention} />
        </Layout.Section>
        <Layout.Section>
          <RunsCard runs={overview.runs} billing={overview.billing} />
        </Layout.Section>
        <Layout.Section>
          <ReconciliationCard reconciliation={overview.reconciliation} />
        </Layout.Section>
        <Layout.Section>
          <RecoveryCard recovery={overview.recovery} atRisk={overview.atRisk} />
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </AdminPage>
  );
}

function BillingCard({ billing }: { billing: OverviewView["billing"] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Billing schedule
          </Text>
          {billing.active ? <Badge tone="success">Active</Badge> : <Badge tone="attention">Paused</Badge>}
        </InlineStack>
        <div data-testid="billing-time">
          <Text as="p">
            {`Subscriptions are charged every day at ${billing.hourText}, ${billing.timeZoneName} (the shop's time zone, ${billing.timeZone}).`}
          </Text>
        </div>
        {billing.nextRunText ? (
          <div data-testid="next-run">
            <Text as="p">
              {billing.runIsDue ? (
                <>Due now (since {billing.nextRunText}): billing starts at the scheduler&apos;s next call.</>
              ) : (
                <>
                  Next billing run:{" "}
                  <Text as="span" fontWeight="semibold">
                    {billing.nextRunText}
                  </Text>
                </>
              )}
            </Text>
          </div>
        ) : null}
        {!billing.active ? (
          <div data-testid="billing-paused">
            <Text as="p" tone="caution">
              {billing.paused
                ? "Billing is paused: no subscription is charged and failed payments are not retried or emailed until you resume it."
                : "Billing is off for this shop."}
            </Text>
          </div>
        ) : null}
        <LastRun lastRun={billing.lastRun} />
        <InlineStack>
          <Link url="/app/settings">{billing.paused ? "Resume billing in Settings" : "Change the billing hour or pause billing"}</Link>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function LastRun({ lastRun }: { lastRun: OverviewView["billing"]["lastRun"] }) {
  if (!lastRun) {
    return (
      <div data-testid="last-run">
        <Text as="p" tone="subdued">
          No billing run yet for this shop.
        </Text>
      </div>
    );
  }
  return (
    <BlockStack gap="100">
      <div data-testid="last-run">
        <Text as="p">
          Last run, for {lastRun.dateText}
          {lastRun.finishedText ? ` (finished ${lastRun.finishedText})` : ""}: {lastRun.countsText}.
        </Text>
      </div>
      {lastRun.failedReason ? (
        <Text as="p" tone="critical">
          The run could not finish: {lastRun.failedReason}
        </Text>
      ) : null}
    </BlockStack>
  );
}

function RunsCard({ runs, billing }: { runs: OverviewView["runs"]; billing: OverviewView["billing"] }) {
  const { totals } = runs;
  const days = runs.days.length;
  const summary =
    `Last ${days} days: ${totals.charged} charged, ${totals.failed} failed` +
    (totals.pending ? `, ${totals.pending} not settled yet` : "") +
    (totals.caughtUp ? `; ${totals.caughtUp} charges caught up after missed runs` : "") +
    ".";
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Billing runs, last {days} days
        </Text>
        {totals.runDays === 0 ? (
          <div data-testid="runs-empty">
            <Text as="p" tone="subdued">
              No subscription was charged in the last {days} days.{" "}
              {billing.nextRunText && !billing.runIsDue ? `The next run is on ${billing.nextRunText}; ` : "Once billing runs, "}
              each day&apos;s charges and failures appear here as a bar.
            </Text>
          </div>
        ) : (
          <>
            <div data-testid="runs-summary">
              <Text as="p">
                {summary}
              </Text>
            </div>
            <RunsChart days={runs.days} largestDay={runs.largestDay} summary={summary} />
            <Text as="p" variant="bodySm" tone="subdued">
              First charges of each day&apos;s run; dunning retries count under Recovery.
            </Text>
          </>
        )}
      </BlockStack>
    </Card>
  );
}

const RECONCILIATION_BADGE: Record<ReconciliationView["tone"], string> = {
  success: "All match",
  critical: "Does not match",
  warning: "Outcome missing",
  info: "Not checked yet",
};

function ReconciliationCard({ reconciliation }: { reconciliation: ReconciliationView }) {
  return (
    <div data-testid="reconciliation">
      <Card>
        <BlockStack gap="300">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h2" variant="headingMd">
              Charge reconciliation
            </Text>
            <Badge tone={reconciliation.tone}>{RECONCILIATION_BADGE[reconciliation.tone]}</Badge>
          </InlineStack>
          {reconciliation.dayText ? (
            <div data-testid="reconciliation-day">
              <Text as="p">
                Charges of{" "}
                <Text as="span" fontWeight="semibold">
                  {reconciliation.dayText}
                </Text>
                , checked against Shopify&apos;s orders
                {reconciliation.checkedText ? ` on ${reconciliation.checkedText}` : ""}. {reconciliation.statusText}
              </Text>
            </div>
          ) : (
            <Text as="p" tone="subdued">
              {reconciliation.statusText}
            </Text>
          )}
          {reconciliation.figures.length > 0 ? (
            <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
              {reconciliation.figures.map((figure) => (
                <div key={figure.label} data-testid="reconciliation-figure">
                  <BlockStack gap="050">
                    <Text as="span" tone="subdued" variant="bodySm">
                      {figure.label}
                    </Text>
                    <Text as="span" variant="headingLg" tone={figure.problem ? "critical" : undefined}>
                      {figure.value}
                    </Text>
                    {figure.note ? (
                      <Text as="span" tone="subdued" variant="bodySm">
                        {figure.note}
                      </Text>
                    ) : null}
                  </BlockStack>
                </div>
              ))}
            </InlineGrid>
          ) : null}
          {reconciliation.windowText ? (
            <div data-testid="reconciliation-window">
              <Text as="p" variant="bodySm" tone="subdued">
                {reconciliation.windowText}
              </Text>
            </div>
          ) : null}
          {reconciliation.waitingText ? (
            <Text as="p" variant="bodySm" tone="subdued">
              {reconciliation.waitingText}
            </Text>
          ) : null}
          {reconciliation.failedText ? (
            <Text as="p" variant="bodySm" tone="caution">
              {reconciliation.failedText}
            </Text>
          ) : null}
        </BlockStack>
      </Card>
    </div>
  );
}

function RecoveryCard({ recovery, atRisk }: { recovery: RecoveryView[]; atRisk: OverviewView["atRisk"] }) {
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Recovery
        </Text>
        <div data-testid="at-risk">
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">
              Revenue at risk
            </Text>
            {atRisk.trackers === 0 ? (
              <Text as="p" tone="subdued">
                No failed payment is being followed up. When a charge fails, its amount shows here until it is recovered or dunning ends.
              </Text>
            ) : (
              <Text as="p">
                <Text as="span" variant="headingLg">
                  {atRisk.amountText ?? `${atRisk.trackers} failed payments`}
                </Text>{" "}
                {atRisk.amountText ? `in ${atRisk.trackers} failed ${atRisk.trackers === 1 ? "payment" : "payments"} ` : ""}
                {atRisk.unknownText ? `${atRisk.unknownText} ` : ""}({atRisk.statusText}).{" "}
                <Link url="/app/dunning">See them in Dunning</Link>
              </Text>
            )}
          </BlockStack>
        </div>
        <Divider />
        <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
          {recovery.map((window) => (
            <RecoveryWindow key={window.days} window={window} />
          ))}
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}

function RecoveryWindow({ window }: { window: RecoveryView }) {
  return (
    <div data-testid={`recovery-${window.days}`}>
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          Last {window.days} days
        </Text>
        {window.settled === 0 ? (
          <Text as="p" tone="subdued">
            No failed payment was settled in the last {window.days} days. When dunning recovers one or gives up on it, it counts here.
          </Text>
        ) : (
          <>
            <InlineStack gap="600" wrap>
              <BlockStack gap="050">
                <Text as="span" tone="subdued" variant="bodySm">
                  Recovered
                </Text>
                <Text as="span" variant="headingLg">
                  {window.recoveredText ?? "Nothing yet"}
                </Text>
              </BlockStack>
              <BlockStack gap="050">
                <Text as="span" tone="subdued" variant="bodySm">
                  Recovery rate
                </Text>
                <Text as="span" variant="headingLg">
                  {window.rateText}
                </Text>
              </BlockStack>
            </InlineStack>
            <Text as="p" variant="bodySm" tone="subdued">
              Recovery rate = recovered ÷ (recovered + retries ran out + stopped), of the failed payments settled in these{" "}
              {window.days} days: {window.formulaText}.
            </Text>
            {window.abandonedText ? (
              <Text as="p" variant="bodySm" tone="subdued">
                {window.abandonedText}
              </Text>
            ) : null}
            <BlockStack gap="100">
              {window.byCategory.map((category) => (
                <InlineStack key={category.label} align="space-between" gap="200" wrap={false}>
                  <Text as="span">{category.label}</Text>
                  <Text as="span" alignment="end">
                    {category.text}
                    {category.recoveredText ? `, ${category.recoveredText}` : ""}
                  </Text>
                </InlineStack>
              ))}
            </BlockStack>
          </>
        )}
      </BlockStack>
    </div>
  );
}

function AttentionCard({ attention }: { attention: OverviewView["attention"] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Needs your attention
        </Text>
        {attention.lines.length === 0 ? (
          <div data-testid="attention-empty">
            <Text as="p" tone="subdued">
              Nothing needs you right now. A payment waiting for the customer&apos;s 3-D Secure, a product out of stock, a problem
              with the shop&apos;s payment setup or a customer&apos;s data request would appear here, one line each.
            </Text>
          </div>
        ) : (
          <BlockStack gap="300">
            {attention.lines.map((line, index) => (
              <BlockStack key={line.noticeId} gap="300">
                {index > 0 ? <Divider /> : null}
                <AttentionRow line={line} />
              </BlockStack>
            ))}
            {attention.more ? (
              <Text as="p" tone="subdued">
                Showing the newest; see <Link url="/app/dunning">Dunning</Link> for every failed payment.
              </Text>
            ) : null}
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}

function AttentionRow({ line }: { line: AttentionLine }) {
  const fetcher = useFetcher();
  const dismissing = fetcher.state !== "idle";
  return (
    <div data-testid="attention-line">
      <BlockStack gap="100">
        <InlineStack gap="200" blockAlign="center" wrap>
          <Badge tone={line.tone}>{line.label}</Badge>
          <Text as="span" fontWeight="semibold">
            {line.title}
          </Text>
        </InlineStack>
        <Text as="p">{line.text}</Text>
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="span" variant="bodySm" tone="subdued">
            {line.sinceText}
          </Text>
          <InlineStack gap="300" blockAlign="center">
            {line.trackerId !== null ? <Link url={`/app/dunning/${line.trackerId}`}>View payment</Link> : null}
            {line.customerUrl ? (
              <Link url={line.customerUrl} target="_top">
                Customer
              </Link>
            ) : null}
            <fetcher.Form method="post">
              <input type="hidden" name="intent" value="dismiss" />
              <input type="hidden" name="id" value={line.noticeId} />
              <Button submit variant="plain" loading={dismissing} accessibilityLabel={`Dismiss: ${line.label}, ${line.title}`}>
                Dismiss
              </Button>
            </fetcher.Form>
          </InlineStack>
        </InlineStack>
      </BlockStack>
    </div>
  );
}
