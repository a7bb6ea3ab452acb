import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useLocation } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, Divider, InlineGrid, InlineStack, Layout, Text } from "@shopify/polaris";
import { AdminPage } from "../components/admin-page";
import { RateRange } from "../components/rate-range";
import { getDeclineInsights, type InsightsReason, type InsightsSuggestion, type InsightsView } from "../dunning/insights-view.server";
import { merchantLocale } from "../http/merchant-locale";
import { settingsUrlWith } from "../components/settings-link";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { insights: await getDeclineInsights(session.shop, { now: new Date(), locale: merchantLocale(request) }) };
};

export default function Insights() {
  const { insights } = useLoaderData<typeof loader>();
  return (
    <AdminPage title="Insights">
      <Layout>
        {insights.emptyText ? (
          <Layout.Section>
            <Card>
              <div data-testid="insights-empty">
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    Nothing to learn from yet
                  </Text>
                  <Text as="p">{insights.emptyText}</Text>
                </BlockStack>
              </div>
            </Card>
          </Layout.Section>
        ) : (
          <>
            <Layout.Section>
              <SuggestionsCard insights={insights} />
            </Layout.Section>
            <Layout.Section>
              <Card>
                <div data-testid="insights-summary">
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingMd">
                      Failed payments, {insights.windowText}
                    </Text>
                    <Text as="p">{insights.summaryText}</Text>
                    <Text as="p" tone="subdued" variant="bodySm">
                      By why each payment first failed, then by retry and the time since the failure. A rate counts the retries with a result;
                      its 95% range is where the true rate most likely lies (a Wilson score interval), wide when there are few retries. Rows with
                      few cases are marked: the what-if on Settings does not rely on them.
                    </Text>
                  </BlockStack>
                </div>
              </Card>
            </Layout.Section>
            {insights.reasons.map((reason) => (
              <Layout.Section key={reason.key}>
                <ReasonCard reason={reason} />
              </Layout.Section>
            ))}
          </>
        )}
      </Layout>
      <Box paddingBlockEnd="800" />
    </AdminPage>
  );
}

function SuggestionsCard({ insights }: { insights: InsightsView }) {
  return (
    <Card>
      <div data-testid="insights-suggestions">
        <BlockStack gap="400">
          <Text as="h2" variant="headingMd">
            Suggestions
          </Text>
          {insights.suggestions.length === 0 ? (
            <Text as="p" tone="subdued">
              {insights.noSuggestionText}
            </Text>
          ) : (
            insights.suggestions.map((suggestion, index) => (
              <BlockStack key={suggestion.title} gap="400">
                {index > 0 ? <Divider /> : null}
                <SuggestionItem suggestion={suggestion} />
              </BlockStack>
            ))
          )}
        </BlockStack>
      </div>
    </Card>
  );
}

function SuggestionItem({ suggestion }: { suggestion: InsightsSuggestion }) {
  const location = useLocation();
  return (
    <div data-testid="insights-suggestion">
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          {suggestion.title}
        </Text>
        <Text as="p">{suggestion.evidence}</Text>
        <Text as="p" tone="subdued">
          {suggestion.change}
        </Text>
        <InlineStack>
          <Button url={settingsUrlWith(location.search, suggestion.fields)}>Try it in Settings</Button>
        </InlineStack>
      </BlockStack>
    </div>
  );
}

function ReasonCard({ reason }: { reason: InsightsReason }) {
  return (
    <Card>
      <div data-testid="insights-reason">
        <BlockStack gap="300">
          <InlineStack gap="200" blockAlign="center" wrap>
            <Text as="h2" variant="headingMd">
              {reason.label}
            </Text>
            {reason.category !== reason.label ? <Badge>{reason.category}</Badge> : null}
          </InlineStack>
          <Text as="p" tone="subdued">
            {reason.description}
          </Text>
          <Text as="p">{reason.summaryText}</Text>
          {reason.rows.length === 0 ? (
            <Text as="p" tone="subdued">
              {reason.noRowsText}
            </Text>
          ) : (
            <BlockStack gap="300">
              {reason.rows.map((row) => (
                <div key={row.label} data-testid="insights-row">
                  <InlineGrid columns={{ xs: 1, md: ["oneThird", "oneThird", "oneThird"] }} gap={{ xs: "100", md: "400" }} alignItems="center">
                    <Text as="p" fontWeight="semibold">
                      {row.label}
                    </Text>
                    <Text as="p">
                      {row.countText}: {row.rateText}
                      {row.fewCases ? (
                        <>
                          {" "}
                          <Badge tone="attention">Few cases</Badge>
                        </>
                      ) : null}
                    </Text>
                    <BlockStack gap="050">
                      <RateRange rate={row.rate} low={row.low} high={row.high} />
                      <Text as="p" variant="bodySm" tone="subdued">
                        {row.rangeText}
                      </Text>
                    </BlockStack>
                  </InlineGrid>
                </div>
              ))}
            </BlockStack>
          )}
        </BlockStack>
      </div>
    </Card>
  );
}
