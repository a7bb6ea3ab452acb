import { randomUUID } from "node:crypto";
import { selectCycle, type CycleSelector } from "./billing-calendar";
import {
  BILLING_ATTEMPT_USER_ERRORS,
  type BillingAttemptUserErrorCode,
  defaultErrorMessage,
  lastBillingErrorTypeOf,
} from "./billing-error-codes";
import {
  type AttemptRecord,
  type BillingStore,
  type ContractRecord,
  isTerminated,
  legacyIdOf,
  type PaymentOutcome,
  type ShopBilling,
} from "./billing-state";
import type { WebhookQueue } from "./webhook-queue";

// Billing attempts: validated and created synchronously (idempotent per shop by key),
// completed asynchronously with the outcome scripted for the contract's payment method,
// then announced with a subscription_billing_attempts/* webhook.

export type { BillingAttemptUserErrorCode };

export interface BillingAttemptUserError {
  field: string[] | null;
  message: string;
  code: BillingAttemptUserErrorCode;
}

export interface AttemptRequest {
  idempotencyKey: string;
  cycleSelector?: CycleSelector | null;
  originTime?: Date | null;
  respectInventoryPolicy: boolean;
  /** SKIP_PAYMENT_AND_CREATE_UNPAID_ORDER: create the order without charging. */
  skipPayment: boolean;
  /** subscriptionBillingCycleCharge refuses cycles expected more than 24 hours ahead. */
  refuseEarlyCharge: boolean;
  /** Where the input sits in the mutation's arguments, for userErrors' `field`. */
  inputPath: string[];
}

export interface AttemptResult {
  attempt: AttemptRecord | null;
  userErrors: BillingAttemptUserError[];
}

const EARLY_CHARGE_WINDOW_MS = 24 * 3_600_000;

export class BillingAttemptProcessor {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** "shop contractGid" -> user errors the next creates for that contract answer with. */
  private readonly injectedErrors = new Map<string, BillingAttemptUserErrorCode[]>();

  constructor(
    private readonly store: BillingStore,
    private readonly options: { processingMs: number; webhooks: WebhookQueue; onSettled: () => void },
  ) {}

  /** The next `count` attempts on the contract are refused with `code`, as when Shopify's state changes mid-run. */
  injectUserError(shop: string, contractGid: string, code: BillingAttemptUserErrorCode, count = 1): void {
    if (!(code in BILLING_ATTEMPT_USER_ERRORS)) throw new Error(`failNextBillingAttempt: unknown BillingAttemptUserErrorCode "${code}"`);
    const key = `${shop} ${contractGid}`;
    this.injectedErrors.set(key, [...(this.injectedErrors.get(key) ?? []), ...Array<BillingAttemptUserErrorCode>(count).fill(code)]);
  }

  create(shop: string, contractGid: string, request: AttemptRequest): AttemptResult {
    const billing = this.store.forShop(shop);
    const selectorPath = [...request.inputPath, "billingCycleSelector"];
    const originPath = [...request.inputPath, "originTime"];
    const problem = (code: BillingAttemptUserErrorCode, field: string[] | null, message: string = BILLING_ATTEMPT_USER_ERRORS[code]): AttemptResult => ({
      attempt: null,
      userErrors: [{ code, message, field }],
    });
    if (!request.idempotencyKey.trim()) return problem("BLANK", [...request.inputPath, "idempotencyKey"]);
    // A retried request gets the attempt it already created, whatever happened since.
    const existing = billing.attemptsByIdempotencyKey.get(request.idempotencyKey);
    if (existing) return { attempt: existing, userErrors: [] };
    const injected = this.injectedErrors.get(`${shop} ${contractGid}`)?.shift();
    if (injected) return problem(injected, fieldOf(injected, request.inputPath));

    const contract = billing.contracts.get(contractGid);
    if (!contract) return problem("CONTRACT_NOT_FOUND", ["subscriptionContractId"]);
    if (contract.status === "PAUSED") return problem("CONTRACT_PAUSED", ["subscriptionContractId"]);
    if (isTerminated(contract.status)) return problem("CONTRACT_TERMINATED", ["subscriptionContractId"]);
    const now = this.store.clock.now();
    const selection = selectCycle(contract.schedule, request.cycleSelector, now);
    if ("problem" in selection) {
      if (selection.problem === "AMBIGUOUS") return problem("INVALID", selectorPath, "Select a billing cycle by index or by date, not both");
      return problem(selection.problem === "DATE_OUT_OF_RANGE" ? "CYCLE_START_DATE_OUT_OF_RANGE" : "CYCLE_INDEX_OUT_OF_RANGE", selectorPath);
    }
    const cycle = billing.cycle(contract, selection.index);
    if (cycle.skipped) return problem("BILLING_CYCLE_SKIPPED", selectorPath);
    if (cycle.status === "BILLED") return problem("INVALID", selectorPath, "Billing cycle has already been billed");
    if (billing.attemptsOfCycle(contract.gid, cycle.index).some((attempt) => attempt.state.kind === "pending")) {
      return problem("INVALID", selectorPath, "Billing cycle has a billing attempt in progress");
    }
    if (request.refuseEarlyCharge && cycle.billingAttemptExpectedDate.getTime() - now.getTime() > EARLY_CHARGE_WINDOW_MS) {
      return problem("BILLING_CYCLE_CHARGE_BEFORE_EXPECTED_DATE", selectorPath);
    }
    const originTime = request.originTime ?? null;
    if (originTime && originTime.getTime() < contract.createdAt.getTime()) return problem("ORIGIN_TIME_BEFORE_CONTRACT_CREATION", originPath);
    if (originTime && (originTime.getTime() < cycle.startAt.getTime() || originTime.getTime() >= cycle.endAt.getTime())) {
      return problem("ORIGIN_TIME_OUT_OF_RANGE", originPath);
    }

    const attempt: AttemptRecord = {
      gid: this.store.newGid("SubscriptionBillingAttempt"),
      contractGid: contract.gid,
      cycleIndex: cycle.index,
      idempotencyKey: request.idempotencyKey,
      originTime,
      createdAt: now,
      completedAt: null,
      respectInventoryPolicy: request.respectInventoryPolicy,
      skipPayment: request.skipPayment,
      state: { kind: "pending" },
    };
    billing.attempts.set(attempt.gid, attempt);
    billing.attemptsByIdempotencyKey.set(attempt.idempotencyKey, attempt);
    this.scheduleCompletion(shop, attempt);
    return { attempt, userErrors: [] };
  }

  isIdle(): boolean {
    return this.timers.size === 0;
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private scheduleCompletion(shop: string, attempt: AttemptRecord): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.complete(shop, attempt);
      this.options.onSettled();
    }, this.options.processingMs);
    this.timers.add(timer);
  }

  /**
   * Fault injection (the control API's plantOrder): a successful attempt under
   * `idempotencyKey` and its order for the cycle, created and completed at once and without
   * the checks that keep Shopify from charging a cycle twice. Its success webhook goes out
   * as usual; the app, which never made the attempt, has no record of it.
   */
  plantSuccess(shop: string, contractGid: string, cycleIndex: number, idempotencyKey: string): AttemptRecord {
    const billing = this.store.forShop(shop);
    if (billing.attemptsByIdempotencyKey.has(idempotencyKey)) throw new Error(`plantOrder: an attempt already has the key ${idempotencyKey}`);
    const contract = billing.contracts.get(contractGid);
    if (!contract) throw new Error(`plantOrder: no subscription contract ${contractGid} in this shop`);
    if (!Number.isInteger(cycleIndex) || cycleIndex < 1) throw new Error(`plantOrder: cycle index must be a positive integer, got ${cycleIndex}`);
    const attempt: AttemptRecord = {
      gid: this.store.newGid("SubscriptionBillingAttempt"),
      contractGid,
      cycleIndex,
      idempotencyKey,
      originTime: null,
      createdAt: this.store.clock.now(),
      completedAt: null,
      respectInventoryPolicy: true,
      skipPayment: false,
      state: { kind: "pending" },
    };
    billing.attempts.set(attempt.gid, attempt);
    billing.attemptsByIdempotencyKey.set(idempotencyKey, attempt);
    this.settle(shop, attempt, "success");
    return attempt;
  }

  private complete(shop: string, attempt: AttemptRecord): void {
    const billing = this.store.forShop(shop);
    const contract = billing.contracts.get(attempt.contractGid)!;
    let outcome: PaymentOutcome = attempt.skipPayment ? "success" : nextOutcome(billing, contract);
    // Another attempt may have billed the cycle meanwhile: charging twice is what Shopify prevents.
    if (outcome === "success" && contract.billedCycles.has(attempt.cycleIndex)) outcome = { error: "INVOICE_ALREADY_PAID" };
    this.settle(shop, attempt, outcome);
  }

  private settle(shop: string, attempt: AttemptRecord, outcome: PaymentOutcome): void {
    const billing = this.store.forShop(shop);
    const contract = billing.contracts.get(attempt.contractGid)!;
    const now = this.store.clock.now();
    attempt.completedAt = now;
    contract.updatedAt = now;
    if (outcome === "success") {
      const order = {
        gid: this.store.newGid("Order"),
        name: billing.nextOrderName(),
        createdAt: now,
        amount: (Number(contract.amount) * contract.quantity).toFixed(2),
        currencyCode: contract.currencyCode,
        contractGid: contract.gid,
        attemptGid: attempt.gid,
        cycleIndex: attempt.cycleIndex,
      };
      billing.orders.set(order.gid, order);
      attempt.state = { kind: "success", orderGid: order.gid };
      contract.billedCycles.set(attempt.cycleIndex, attempt.gid);
      contract.lastPaymentStatus = "SUCCEEDED";
      contract.lastBillingAttemptErrorType = null;
      billing.refreshNextBillingDate(contract);
    } else if (outcome === "action_required") {
      attempt.state = { kind: "action_required", nextActionUrl: `https://${shop}/payments/authentications/${randomUUID()}` };
      contract.lastPaymentStatus = "FAILED";
      contract.lastBillingAttemptErrorType = "PAYMENT_ERROR";
    } else {
      attempt.state = { kind: "failed", code: outcome.error, message: outcome.message ?? defaultErrorMessage(outcome.error) };
      contract.lastPaymentStatus = "FAILED";
      contract.lastBillingAttemptErrorType = lastBillingErrorTypeOf(outcome.error);
    }
    this.options.webhooks.enqueue({ shop, ...billingAttemptWebhook(attempt, billing), triggeredAt: now });
  }
}

/** Where Shopify points a user error of this code. */
function fieldOf(code: BillingAttemptUserErrorCode, inputPath: string[]): string[] | null {
  if (code.startsWith("CONTRACT_")) return ["subscriptionContractId"];
  if (code.startsWith("ORIGIN_TIME_")) return [...inputPath, "originTime"];
  if (code === "BLANK") return [...inputPath, "idempotencyKey"];
  if (code === "THROTTLED" || code === "PROCESSING_FAILED") return null;
  return [...inputPath, "billingCycleSelector"];
}

function nextOutcome(billing: ShopBilling, contract: ContractRecord): PaymentOutcome {
  const method = contract.paymentMethodGid ? billing.paymentMethods.get(contract.paymentMethodGid) : undefined;
  if (!method) return { error: "PAYMENT_METHOD_NOT_SPECIFIED" };
  // The contract still points at a revoked method until the customer picks another; Shopify cannot find it to charge.
  if (method.revokedAt) return { error: "PAYMENT_METHOD_NOT_FOUND" };
  return method.script.shift() ?? method.defaultOutcome;
}

/** The REST-style payload Shopify sends on subscription_billing_attempts/success, /failure and /challenged. */
function billingAttemptWebhook(attempt: AttemptRecord, billing: ShopBilling): { topic: string; payload: Record<string, unknown> } {
  const { state } = attempt;
  const order = state.kind === "success" ? billing.orders.get(state.orderGid) : undefined;
  const topic =
    state.kind === "success"
      ? "subscription_billing_attempts/success"
      : state.kind === "action_required"
        ? "subscription_billing_attempts/challenged"
        : "subscription_billing_attempts/failure";
  return {
    topic,
    payload: {
      id: legacyIdOf(attempt.gid),
      admin_graphql_api_id: attempt.gid,
      idempotency_key: attempt.idempotencyKey,
      order_id: order ? legacyIdOf(order.gid) : null,
      admin_graphql_api_order_id: order?.gid ?? null,
      subscription_contract_id: legacyIdOf(attempt.contractGid),
      admin_graphql_api_subscription_contract_id: attempt.contractGid,
      ready: state.kind !== "pending",
      error_message: state.kind === "failed" ? state.message : null,
      error_code: state.kind === "failed" ? state.code.toLowerCase() : null,
    },
  };
}
