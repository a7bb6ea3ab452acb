import { useState } from "react";
import { Form } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Select, Text } from "@shopify/polaris";
import type { BillingSettingsView } from "../shop-settings/shop-settings.server";

// The Settings page's billing part: the shop's billing status with pause and resume (their
// own small form, confirmed first), and the billing hour field of the settings form.

export function BillingStatusCard({ billing, busy }: { billing: BillingSettingsView; busy: boolean }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h3" variant="headingSm">
            Billing status
          </Text>
          {billing.active ? <Badge tone="success">Active</Badge> : <Badge tone="attention">Paused</Badge>}
        </InlineStack>
        {billing.active ? (
          <div data-testid="settings-next-run">
            <Text as="p">
              {billing.runIsDue
                ? `Due now (since ${billing.nextRunText}): billing starts at the scheduler's next call.`
                : `Next billing run: ${billing.nextRunText}.`}
            </Text>
          </div>
        ) : (
          <div data-testid="settings-next-run">
            <Text as="p">
              {billing.paused
                ? `Billing is paused: no subscription is charged, and dunning waits (no retries, emails or final actions). If you resume now, the next run is ${billing.runIsDue ? "at the scheduler's next call" : billing.nextRunText}.`
                : "Billing is off for this shop."}
            </Text>
          </div>
        )}
        {billing.active ? (
          confirming ? (
            <Banner tone="warning" title="Pause billing for this shop?">
              <BlockStack gap="200">
                <p>
                  No subscription is charged while billing is paused, and dunning waits: no retries, payment-update emails or final
                  actions. A run already under way finishes. When you resume, subscriptions due in the last 2 days are charged at the
                  first run; ones that came due earlier in the pause are not.
                </p>
                <InlineStack gap="200">
                  <Form method="post" onSubmit={() => setConfirming(false)}>
                    <input type="hidden" name="intent" value="pause" />
                    <Button submit tone="critical" variant="primary" loading={busy}>
                      Pause billing
                    </Button>
                  </Form>
                  <Button onClick={() => setConfirming(false)}>Keep billing</Button>
                </InlineStack>
              </BlockStack>
            </Banner>
          ) : (
            // Without JavaScript the button pauses at once; with it, it asks first.
            <Form
              method="post"
              onSubmit={(event) => {
                event.preventDefault();
                setConfirming(true);
              }}
            >
              <input type="hidden" name="intent" value="pause" />
              <InlineStack>
                <Button submit tone="critical" loading={busy}>
                  Pause billing…
                </Button>
              </InlineStack>
            </Form>
          )
        ) : billing.paused ? (
          <Form method="post">
            <input type="hidden" name="intent" value="resume" />
            <InlineStack>
              <Button submit variant="primary" loading={busy}>
                Resume billing
              </Button>
            </InlineStack>
          </Form>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export function BillingScheduleFields({
  billing,
  value,
  error,
  nextRun,
  changed,
  onChange,
}: {
  billing: BillingSettingsView;
  value: string;
  error?: string;
  nextRun: { text: string; due: boolean } | null;
  changed: boolean;
  onChange: (value: string) => void;
}) {
  const when = nextRun ? (nextRun.due ? "at the scheduler's next call (this hour has passed today)" : nextRun.text) : null;
  const help = !when
    ? `In ${billing.timeZoneName} (${billing.timeZone}).`
    : billing.paused
      ? `In ${billing.timeZoneName} (${billing.timeZone}). Once you resume, the next run is ${when}.`
      : changed
        ? `In ${billing.timeZoneName} (${billing.timeZone}). After saving, the next run is ${when}.`
        : `In ${billing.timeZoneName} (${billing.timeZone}). Next run: ${when}.`;
  return (
    <BlockStack gap="200">
      <Select
        label="Billing hour"
        name="billingHour"
        options={billing.hourOptions.map((option) => ({ label: option.label, value: option.value }))}
        value={value}
        onChange={onChange}
        error={error}
        helpText={<span data-testid="billing-hour-help">{help}</span>}
      />
      <Text as="p" variant="bodySm" tone="subdued">
        A day already billed is never billed again: moving the hour later on a day that was billed moves the next run to tomorrow.
      </Text>
    </BlockStack>
  );
}
