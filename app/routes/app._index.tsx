import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { getBillingScheduleView, type BillingScheduleView } from "../schedules/schedule.server";
import { formatBillingHour } from "../time/time-zone";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  return { schedule: await getBillingScheduleView(session.shop, admin.graphql, new Date()) };
};

export default function BillingScheduleHome() {
  const { schedule } = useLoaderData<typeof loader>();
  return (
    <Page>
      <TitleBar title="Subscription billing" />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Billing schedule
                </Text>
                {schedule.active ? <Badge tone="success">Active</Badge> : <Badge tone="attention">Paused</Badge>}
              </InlineStack>
              <Text as="p" data-testid="billing-time">
                Subscriptions are charged every day at {formatBillingHour(schedule.billingHour)} in{" "}
                {schedule.timezone}.
              </Text>
              {schedule.nextRunLocal ? (
                <Text as="p" data-testid="next-run">
                  {schedule.runIsDue
                    ? `Due now (since ${schedule.nextRunLocal}): billing starts at the scheduler's next call.`
                    : `Next billing run: ${schedule.nextRunLocal}.`}
                </Text>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Last run
              </Text>
              <LastRun lastRun={schedule.lastRun} />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

const ATTEMPT_LABELS: Array<[status: string, label: string]> = [
  ["SUCCEEDED", "charged"],
  ["PROCESSING", "processing"],
  ["PENDING", "not yet sent"],
  ["FAILED", "failed"],
  ["ACTION_REQUIRED", "awaiting 3-D Secure"],
  ["REJECTED", "refused by Shopify"],
];

function LastRun({ lastRun }: { lastRun: BillingScheduleView["lastRun"] }) {
  if (!lastRun) {
    return (
      <Text as="p" tone="subdued" data-testid="last-run">
        No billing run yet for this shop.
      </Text>
    );
  }
  const counts = ATTEMPT_LABELS.filter(([status]) => lastRun.attempts[status])
    .map(([status, label]) => `${lastRun.attempts[status]} ${label}`)
    .join(", ");
  return (
    <BlockStack gap="100">
      <Text as="p" data-testid="last-run">
        Billed for {lastRun.localDate}
        {lastRun.finishedLocal ? ` (finished ${lastRun.finishedLocal})` : ""}: {counts || "nothing was due"}.
      </Text>
      {lastRun.outcome === "FAILED" ? (
        <Text as="p" tone="critical">
          The run could not finish: {lastRun.error}
        </Text>
      ) : null}
    </BlockStack>
  );
}
