import { useEffect, useState } from "react";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, useFetcher, useLoaderData, useRouteError, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Layout, Link, Modal, Pagination, Text, useBreakpoints } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AdminPage } from "../components/admin-page";
import { getTrackerPage, type TrackerPage } from "../dunning/dunning-views.server";
import { resendPaymentUpdateEmail, retryTrackerNow, stopTrackerDunning, type MerchantActionResult } from "../dunning/merchant-actions.server";
import { decodeCursor } from "../lib/keyset-page";
import { readFormFields } from "../http/form-fields.server";
import { merchantLocale } from "../http/merchant-locale";
import { parseRowId } from "../http/row-id";
import { adminClientForShop, authenticate } from "../shopify.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = parseRowId(params.id);
  const search = new URL(request.url).searchParams;
  const page = { after: decodeCursor(search.get("older")), before: decodeCursor(search.get("newer")) };
  const tracker = id ? await getTrackerPage(session.shop, id, page, { now: new Date(), locale: merchantLocale(request) }) : null;
  // Another shop's tracker is as unknown as a missing one.
  if (!tracker) throw new Response("Tracker not found", { status: 404, statusText: "Not Found" });
  return { page: tracker };
};

const ACTIONS = { retry: retryTrackerNow, stop: stopTrackerDunning, email: resendPaymentUpdateEmail } as const;
type Intent = keyof typeof ACTIONS;

/** The merchant's actions, each through the dunning pass's own functions (merchant-actions.server.ts). */
export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await readFormFields(request);
  const id = parseRowId(params.id);
  const run = ACTIONS[form.intent as Intent];
  if (!id || !run || !Object.hasOwn(ACTIONS, form.intent)) return data({ ok: false, message: "Unknown action." }, { status: 400 });
  const result: MerchantActionResult = await run({ shop: session.shop, trackerId: id, seen: form.seen ?? "", now: new Date(), clientForShop: adminClientForShop });
  return result.ok ? result : data(result, { status: result.status });
};

export default function TrackerPageView() {
  const { page } = useLoaderData<typeof loader>();
  const { tracker } = page;
  // Desktop assumed until the browser knows; at phone width the actions come before the timeline.
  const { mdUp } = useBreakpoints({ defaults: { mdUp: true } });
  const title = tracker.customer ? `${tracker.customer.name}: failed payment` : `Contract #${tracker.contractNumber}: failed payment`;
  return (
    <AdminPage title={title}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Facts page={page} />
            {mdUp ? null : <Actions page={page} />}
            <Timeline page={page} />
            {mdUp ? null : <InShopify page={page} />}
          </BlockStack>
        </Layout.Section>
        {mdUp ? (
          <Layout.Section variant="oneThird">
            <BlockStack gap="400">
              <Actions page={page} />
              <InShopify page={page} />
            </BlockStack>
          </Layout.Section>
        ) : null}
      </Layout>
      <Box paddingBlockEnd="800" />
    </AdminPage>
  );
}

function InShopify({ page }: { page: TrackerPage }) {
  const { links, tracker } = page;
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          In Shopify
        </Text>
        {links.customerAdminUrl ? <Link url={links.customerAdminUrl}>Customer&apos;s page in Shopify</Link> : null}
        {links.orderAdminUrl ? <Link url={links.orderAdminUrl}>The order this payment made</Link> : null}
        <Link url={links.chargesUrl}>Every charge of contract #{tracker.contractNumber}</Link>
      </BlockStack>
    </Card>
  );
}

function Facts({ page }: { page: TrackerPage }) {
  const { tracker } = page;
  const facts: Array<[label: string, value: string | null]> = [
    ["Amount", tracker.amount],
    ["Contract", `#${tracker.contractNumber}, billing cycle ${tracker.billingCycleIndex}`],
    ["Attempts", tracker.attempts],
    ["Attempts in 30 days", tracker.attemptsIn30Days],
    ["Last decline", tracker.lastError ? `${tracker.declineCategory ? `${tracker.declineCategory}: ` : ""}${tracker.lastError}` : null],
    [tracker.isOpen ? "Next step" : "Outcome", tracker.isOpen ? tracker.nextStep : tracker.outcome ?? tracker.nextStep],
    ["Opened", tracker.opened],
    ["Closed", tracker.closed],
  ];
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center" wrap>
          <Text as="h2" variant="headingMd">
            {tracker.customer ? (
              tracker.customer.adminUrl ? (
                <Link url={tracker.customer.adminUrl} removeUnderline>
                  {tracker.customer.name}
                </Link>
              ) : (
                tracker.customer.name
              )
            ) : (
              "Customer not known yet"
            )}
          </Text>
          <Badge tone={tracker.statusTone}>{tracker.statusLabel}</Badge>
        </InlineStack>
        {tracker.customer?.email ? (
          <Text as="p" tone="subdued" breakWord>
            {tracker.customer.email}
          </Text>
        ) : null}
        <BlockStack gap="150">
          {facts
            .filter(([, value]) => value)
            .map(([label, value]) => (
              <InlineGrid key={label} columns={{ xs: 1, sm: ["oneThird", "twoThirds"] }} gap={{ xs: "0", sm: "200" }}>
                <Text as="span" tone="subdued">
                  {label}
                </Text>
                <Text as="span">{value}</Text>
              </InlineGrid>
            ))}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}

const CONFIRMATIONS: Record<Intent, { title: string; button: string; body: string; destructive?: boolean }> = {
  retry: {
    title: "Retry the payment now?",
    button: "Retry now",
    body: "The app asks Shopify to charge the customer's payment method again now. It counts as one of the retries on your dunning schedule.",
  },
  stop: {
    title: "Stop dunning for this payment?",
    button: "Stop dunning",
    body: "Nothing more is retried or emailed for this payment, and no final action is applied to the contract. This cannot be undone here.",
    destructive: true,
  },
  email: {
    title: "Email the customer again?",
    button: "Send the email",
    body: "Shopify emails the customer a link to update their payment method. At most one such email goes out per interval set in your dunning settings.",
  },
};

function Actions({ page }: { page: TrackerPage }) {
  const { tracker, actions } = page;
  const fetcher = useFetcher<typeof action>();
  const [confirming, setConfirming] = useState<Intent | null>(null);
  const [answer, setAnswer] = useState<{ ok: boolean; message: string } | null>(null);
  const busy = fetcher.state !== "idle";
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data) {
      setAnswer({ ok: fetcher.data.ok, message: fetcher.data.message });
      setConfirming(null);
    }
  }, [fetcher.state, fetcher.data]);

  if (!tracker.isOpen) {
    return (
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Actions
          </Text>
          {answer ? <Answer answer={answer} onDismiss={() => setAnswer(null)} /> : null}
          <Text as="p" tone="subdued">
            This payment is no longer followed up.
          </Text>
        </BlockStack>
      </Card>
    );
  }
  const buttons: Array<[Intent, string]> = [
    ["retry", "Retry now"],
    ["email", "Send the payment-update email again"],
    ["stop", "Stop dunning"],
  ];
  const confirm = confirming ? CONFIRMATIONS[confirming] : null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Actions
        </Text>
        {answer ? <Answer answer={answer} onDismiss={() => setAnswer(null)} /> : null}
        {buttons.map(([intent, label]) => (
          <BlockStack key={intent} gap="100">
            <Button
              onClick={() => setConfirming(intent)}
              disabled={!actions[intent].available || busy}
              tone={intent === "stop" ? "critical" : undefined}
              variant={intent === "retry" ? "primary" : "secondary"}
              fullWidth
            >
              {label}
            </Button>
            {actions[intent].why ? (
              <Text as="p" variant="bodySm" tone="subdued">
                {actions[intent].why}
              </Text>
            ) : null}
          </BlockStack>
        ))}
      </BlockStack>
      {confirm && confirming ? (
        <Modal
          open
          title={confirm.title}
          onClose={() => (busy ? undefined : setConfirming(null))}
          primaryAction={{
            content: confirm.button,
            destructive: confirm.destructive,
            loading: busy,
            onAction: () => fetcher.submit({ intent: confirming, seen: tracker.seen }, { method: "post" }),
          }}
          secondaryActions={[{ content: "Cancel", disabled: busy, onAction: () => setConfirming(null) }]}
        >
          <Modal.Section>
            <Text as="p">{confirm.body}</Text>
          </Modal.Section>
        </Modal>
      ) : null}
    </Card>
  );
}

function Answer({ answer, onDismiss }: { answer: { ok: boolean; message: string }; onDismiss: () => void }) {
  return (
    <Banner tone={answer.ok ? "success" : "warning"} onDismiss={onDismiss}>
      <p data-testid="action-answer">{answer.message}</p>
    </Banner>
  );
}

function Timeline({ page }: { page: TrackerPage }) {
  const { timeline } = page;
  const [, setParams] = useSearchParams();
  const go = (key: "older" | "newer", cursor: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.delete("older");
        next.delete("newer");
        next.set(key, cursor);
        return next;
      },
      { preventScrollReset: true },
    );
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Timeline
          </Text>
          <Text as="span" tone="subdued" variant="bodySm">
            Newest first, in {page.timeZoneName}
          </Text>
        </InlineStack>
        {timeline.events.length === 0 ? (
          <Text as="p" tone="subdued">
            Nothing recorded yet.
          </Text>
        ) : (
          <ol style={{ listStyle: "none", margin: 0, padding: 0 }} data-testid="tracker-timeline">
            <BlockStack gap="300">
              {timeline.events.map((event) => (
                <li key={event.id}>
                  <BlockStack gap="100">
                    <InlineStack gap="200" blockAlign="center" wrap>
                      <Text as="span" fontWeight="semibold">
                        {event.title}
                      </Text>
                      <Badge tone={event.statusTone}>{event.statusLabel}</Badge>
                    </InlineStack>
                    <Text as="span" tone="subdued" variant="bodySm">
                      {event.at}
                      {event.attempt ? ` · ${event.attempt}` : ""}
                    </Text>
                    <Text as="p">{event.detail}</Text>
                  </BlockStack>
                </li>
              ))}
            </BlockStack>
          </ol>
        )}
        {timeline.olderCursor || timeline.newerCursor ? (
          <InlineStack align="center">
            <Pagination
              hasPrevious={Boolean(timeline.newerCursor)}
              previousTooltip="Newer events"
              onPrevious={() => timeline.newerCursor && go("newer", timeline.newerCursor)}
              hasNext={Boolean(timeline.olderCursor)}
              nextTooltip="Older events"
              onNext={() => timeline.olderCursor && go("older", timeline.olderCursor)}
              label={timeline.totalLabel}
            />
          </InlineStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <AdminPage title="Failed payment not found">
        <Card>
          <BlockStack gap="200">
            <Text as="p">This shop has no failed payment with that number.</Text>
            <Link url="/app/dunning">Back to Dunning</Link>
          </BlockStack>
        </Card>
      </AdminPage>
    );
  }
  return boundary.error(error);
}
