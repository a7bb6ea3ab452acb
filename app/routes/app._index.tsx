import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { getBillingScheduleView } from "../billing/schedule.server";
import { formatBillingHour } from "../billing/time-zone";
import { authenticate } from "../shopify.server";
import { fetchShopProfile } from "../shopify/operations/shop-profile.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const fetchShopTimeZone = async () => (await fetchShopProfile(admin.graphql)).ianaTimezone;
  return { schedule: await getBillingScheduleView(session.shop, fetchShopTimeZone) };
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
              <Text as="p" tone="subdued">
                {schedule.lastBilledLocalDate
                  ? `Last billed for ${schedule.lastBilledLocalDate}.`
                  : "No billing run yet for this shop."}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
