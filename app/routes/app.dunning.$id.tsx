import type { LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { getTrackerHistory, type TrackerRow } from "../dunning/dunning-views.server";
import { parseRowId } from "../http/row-id";
import { authenticate } from "../shopify.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = parseRowId(params.id);
  const history = id ? await getTrackerHistory(session.shop, id) : null;
  // Another shop's tracker is as unknown as a missing one.
  if (!history) throw new Response("Tracker not found", { status: 404, statusText: "Not Found" });
  return { history };
};

export default function TrackerPage() {
  const { history } = useLoaderData<typeof loader>();
  const { tracker, events } = history;
  const title = `Contract ${tracker.contractNumber}, cycle ${tracker.billingCycleIndex}`;
  return (
    <Page
      backAction={{ content: "Dunning", url: "/app/dunning" }}
      title={title}
      titleMetadata={<Badge tone={tracker.statusTone}>{tracker.statusLabel}</Badge>}
    >
      <TitleBar title={title} />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Failed payment
              </Text>
              <TrackerFacts tracker={tracker} />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                History ({history.timezone})
              </Text>
              {events.length === 0 ? (
                <Text as="p" tone="subdued">
                  Nothing recorded yet.
                </Text>
              ) : (
                <ol style={{ listStyle: "none", margin: 0, padding: 0 }} data-testid="tracker-history">
                  <BlockStack gap="300">
                    {events.map((event) => (
                      <li key={event.id}>
                        <BlockStack gap="100">
                          <InlineStack gap="200" blockAlign="center">
                            <Text as="span" tone="subdued">
                              {event.atLocal}
                            </Text>
                            <Text as="span" fontWeight="semibold">
                              {event.kindLabel}
                            </Text>
                            <Badge tone={event.statusTone}>{event.statusLabel}</Badge>
                            {event.attemptNumber ? <Text as="span" tone="subdued">Attempt {event.attemptNumber}</Text> : null}
                            {event.errorCode ? <Text as="span" tone="critical">{event.errorCode}</Text> : null}
                          </InlineStack>
                          <Text as="p">{event.detail}</Text>
                        </BlockStack>
                      </li>
                    ))}
                  </BlockStack>
                </ol>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function TrackerFacts({ tracker }: { tracker: TrackerRow }) {
  const facts: Array<[label: string, value: string | null]> = [
    ["Contract", tracker.contractId],
    ["Billing cycle", String(tracker.billingCycleIndex)],
    ["Amount", tracker.amountDisplay],
    ["Attempts so far", String(tracker.attemptCount)],
    [
      "Last error",
      tracker.lastErrorCode
        ? `${tracker.lastErrorCode}${tracker.lastErrorClass ? ` (${tracker.lastErrorClass.toLowerCase()})` : ""}${tracker.lastErrorMessage ? `: ${tracker.lastErrorMessage}` : ""}`
        : null,
    ],
    ["Next step", tracker.nextStep],
    ["Final action", tracker.finalAction],
    ["Opened", tracker.openedAtLocal],
    ["Closed", tracker.completedAtLocal],
    ["Outcome", tracker.completedReason],
  ];
  return (
    <BlockStack gap="100">
      {facts
        .filter(([, value]) => value)
        .map(([label, value]) => (
          <InlineStack key={label} gap="200" wrap={false}>
            <div style={{ minWidth: "9rem" }}>
              <Text as="span" tone="subdued">
                {label}
              </Text>
            </div>
            <Text as="span">{value}</Text>
          </InlineStack>
        ))}
    </BlockStack>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page backAction={{ content: "Dunning", url: "/app/dunning" }} title="Tracker not found">
        <Card>
          <Text as="p">This shop has no dunning tracker with that id.</Text>
        </Card>
      </Page>
    );
  }
  return boundary.error(error);
}
