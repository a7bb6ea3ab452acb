import { formatDateTime } from "./admin-scalars";
import {
  type BillingStore,
  type ContractRecord,
  type ContractStatus,
  type CycleState,
  legacyIdOf,
  type PaymentMethodRecord,
} from "./billing-state";
import type { WebhookQueue } from "./webhook-queue";

// The webhooks Shopify raises when a contract, a billing cycle or a payment method changes
// outside a billing attempt, with the REST-style snake_case payloads it sends. The queue
// logs, and does not send, the topics the app has not subscribed to.

export type PaymentMethodEvent = "create" | "update" | "revoke";

/** The topic Shopify raises, besides subscription_contracts/update, when a contract enters a status. */
const STATUS_TOPICS: Record<ContractStatus, string> = {
  ACTIVE: "subscription_contracts/activate",
  PAUSED: "subscription_contracts/pause",
  CANCELLED: "subscription_contracts/cancel",
  EXPIRED: "subscription_contracts/expire",
  FAILED: "subscription_contracts/fail",
};

/** The simulator keeps no card details: every method shows the same test card. */
const SIMULATED_CARD = { last_digits: "4242", month: 12, year: 2030, name: "Sim Customer", brand: "visa" };

export class BillingWebhooks {
  constructor(
    private readonly store: BillingStore,
    private readonly queue: WebhookQueue,
  ) {}

  /** subscription_contracts/update, and the status's own topic when the status is what changed. */
  contractUpdated(shop: string, contract: ContractRecord, { statusChanged }: { statusChanged: boolean }): void {
    const payload = contractPayload(contract);
    this.send(shop, "subscription_contracts/update", payload);
    if (statusChanged) this.send(shop, STATUS_TOPICS[contract.status], payload);
  }

  cycleSkipChanged(shop: string, cycle: CycleState): void {
    this.send(shop, cycle.skipped ? "subscription_billing_cycles/skip" : "subscription_billing_cycles/unskip", cyclePayload(cycle));
  }

  paymentMethodChanged(shop: string, method: PaymentMethodRecord, event: PaymentMethodEvent): void {
    this.send(shop, `customer_payment_methods/${event}`, paymentMethodPayload(method));
  }

  private send(shop: string, topic: string, payload: Record<string, unknown>): void {
    this.queue.enqueue({ shop, topic, payload, triggeredAt: this.store.clock.now() });
  }
}

export function contractPayload(contract: ContractRecord): Record<string, unknown> {
  const { schedule } = contract;
  const interval = schedule.interval.toLowerCase();
  return {
    id: legacyIdOf(contract.gid),
    admin_graphql_api_id: contract.gid,
    customer_id: legacyIdOf(contract.customerGid),
    admin_graphql_api_customer_id: contract.customerGid,
    admin_graphql_api_origin_order_id: null,
    origin_order_id: null,
    revision_id: String(contract.revision),
    status: contract.status.toLowerCase(),
    currency_code: contract.currencyCode,
    billing_policy: { interval, interval_count: schedule.intervalCount, min_cycles: null, max_cycles: schedule.maxCycles ?? null },
    delivery_policy: { interval, interval_count: schedule.intervalCount },
  };
}

export function cyclePayload(cycle: CycleState): Record<string, unknown> {
  return {
    subscription_contract_id: legacyIdOf(cycle.contractGid),
    admin_graphql_api_subscription_contract_id: cycle.contractGid,
    cycle_index: cycle.index,
    cycle_start_at: formatDateTime(cycle.startAt),
    cycle_end_at: formatDateTime(cycle.endAt),
    billing_attempt_expected_date: formatDateTime(cycle.billingAttemptExpectedDate),
    skipped: cycle.skipped,
    edited: false,
    status: cycle.status.toLowerCase(),
  };
}

export function paymentMethodPayload(method: PaymentMethodRecord): Record<string, unknown> {
  return {
    admin_graphql_api_id: method.gid,
    // Shopify's payment method gids end in the method's token, as the simulator's do.
    token: method.gid.slice(method.gid.lastIndexOf("/") + 1),
    customer_id: legacyIdOf(method.customerGid),
    admin_graphql_api_customer_id: method.customerGid,
    instrument_type: "CustomerCreditCard",
    payment_instrument: { ...SIMULATED_CARD },
  };
}
