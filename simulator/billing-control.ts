import { randomUUID } from "node:crypto";
import type { BillingAttemptProcessor } from "./billing-attempts";
import { SELLING_PLAN_INTERVALS, type SellingPlanInterval } from "./billing-calendar";
import { isBillingAttemptErrorCode } from "./billing-error-codes";
import {
  type AttemptRecord,
  type BillingStore,
  CONTRACT_STATUSES,
  type ContractActionRecord,
  type ContractRecord,
  type ContractStatus,
  type PaymentMethodRecord,
  type PaymentOutcome,
  type ShopBilling,
} from "./billing-state";
import type { BillingWebhooks } from "./billing-webhooks";
import type { ContractChanges } from "./contract-changes";
import { assertCurrencyCode, normalizeShopDomain, type SimulatedStore } from "./shop-state";

// The in-process control API for billing: tests and benchmarks set up customers and
// contracts, script payment outcomes and read back what the app caused, without GraphQL.

export interface CreateCustomerInput {
  email?: string;
  firstName?: string;
  lastName?: string;
  /** Outcomes of the customer's payment method, one per completed attempt, e.g. [{ error: "INSUFFICIENT_FUNDS" }, "success"]. */
  paymentMethodOutcomes?: PaymentOutcome[];
  /** Once the script is used up (default "success"). */
  defaultOutcome?: PaymentOutcome;
}

export interface CreateContractInput extends CreateCustomerInput {
  /** An existing customer (and their first payment method); otherwise one is created from the CreateCustomerInput fields. */
  customerId?: string;
  interval: SellingPlanInterval;
  intervalCount?: number;
  /** Cycle 1's expected billing date: the schedule's anchor. */
  nextBillingDate: Date;
  /** Unit price as a decimal string, e.g. "29.00". */
  amount: string;
  quantity?: number;
  /** Default: the shop's currency. */
  currencyCode?: string;
  status?: ContractStatus;
  maxCycles?: number;
  /** Default: the simulated clock's now. */
  createdAt?: Date;
  lineTitle?: string;
}

export interface ContractSnapshot {
  id: string;
  status: ContractStatus;
  customerId: string;
  paymentMethodId: string | null;
  interval: SellingPlanInterval;
  intervalCount: number;
  nextBillingDate: Date | null;
  amount: string;
  currencyCode: string;
  lastPaymentStatus: "SUCCEEDED" | "FAILED" | null;
  createdAt: Date;
}

export interface CycleSnapshot {
  cycleIndex: number;
  cycleStartAt: Date;
  cycleEndAt: Date;
  billingAttemptExpectedDate: Date;
  status: "BILLED" | "UNBILLED";
  skipped: boolean;
  attemptIds: string[];
}

export interface AttemptSnapshot {
  id: string;
  contractId: string;
  cycleIndex: number;
  idempotencyKey: string;
  state: AttemptRecord["state"]["kind"];
  /** The SubscriptionBillingAttemptErrorCode of a failed attempt. */
  errorCode: string | null;
  orderId: string | null;
  nextActionUrl: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface OrderSnapshot {
  id: string;
  name: string;
  createdAt: Date;
  amount: string;
  currencyCode: string;
  contractId: string;
  billingAttemptId: string;
  cycleIndex: number;
}

/** A card the customer adds or updates: what it does with the next attempts. */
export interface PaymentMethodInput {
  /** One per completed attempt, then `defaultOutcome`; default: none. */
  outcomes?: PaymentOutcome[];
  /** Default "success": a new card works unless the test says otherwise. */
  defaultOutcome?: PaymentOutcome;
}

export interface AddPaymentMethodInput extends PaymentMethodInput {
  /** Default true: the customer's ACTIVE and PAUSED contracts switch to the new method. */
  assignToContracts?: boolean;
}

export interface PaymentMethodSnapshot {
  id: string;
  customerId: string;
  revokedAt: Date | null;
}

export interface ContractActionSnapshot {
  action: ContractActionRecord["action"];
  contractId: string;
  /** SKIP and UNSKIP only. */
  cycleIndex?: number;
  at: Date;
}

export function createBillingControl(
  store: BillingStore,
  shops: SimulatedStore,
  { changes, webhooks, attempts }: { changes: ContractChanges; webhooks: BillingWebhooks; attempts: BillingAttemptProcessor },
) {
  const billingOf = (domain: string): ShopBilling => store.forShop(shopDomain(shops, domain));

  function newPaymentMethod(billing: ShopBilling, customerGid: string, input: PaymentMethodInput): PaymentMethodRecord {
    const method: PaymentMethodRecord = {
      gid: store.newPaymentMethodGid(),
      customerGid,
      script: (input.outcomes ?? []).map(checkedOutcome),
      defaultOutcome: checkedOutcome(input.defaultOutcome ?? "success"),
      revokedAt: null,
    };
    billing.paymentMethods.set(method.gid, method);
    return method;
  }

  function createCustomer(shop: string, input: CreateCustomerInput = {}): { customerId: string; paymentMethodId: string } {
    const billing = billingOf(shop);
    const customerId = store.newGid("Customer");
    const number = customerId.slice(customerId.lastIndexOf("/") + 1);
    billing.customers.set(customerId, {
      gid: customerId,
      email: input.email ?? `customer-${number}@example.com`,
      firstName: input.firstName ?? "Sim",
      lastName: input.lastName ?? `Customer ${number}`,
    });
    // Set-up, not something the customer did: no customer_payment_methods/create.
    const method = newPaymentMethod(billing, customerId, { outcomes: input.paymentMethodOutcomes, defaultOutcome: input.defaultOutcome });
    return { customerId, paymentMethodId: method.gid };
  }

  function createContract(shop: string, input: CreateContractInput): { contractId: string; customerId: string; paymentMethodId: string | null } {
    const domain = shopDomain(shops, shop);
    const billing = store.forShop(domain);
    if (!(SELLING_PLAN_INTERVALS as readonly string[]).includes(input.interval)) throw new Error(`createContract: unknown interval "${input.interval}"`);
    if (!/^\d+(\.\d+)?$/.test(input.amount)) throw new Error(`createContract: amount must be a decimal string like "29.00", got "${input.amount}"`);
    const currencyCode = input.currencyCode ?? shops.ensureShop(domain).shop.currencyCode;
    assertCurrencyCode(currencyCode);
    const owner = input.customerId ? existingCustomer(billing, input.customerId) : createCustomer(domain, input);
    const now = store.clock.now();
    const contract: ContractRecord = {
      gid: store.newGid("SubscriptionContract"),
      customerGid: owner.customerId,
      paymentMethodGid: owner.paymentMethodId,
      status: input.status ?? "ACTIVE",
      schedule: {
        anchor: input.nextBillingDate,
        interval: input.interval,
        intervalCount: input.intervalCount ?? 1,
        maxCycles: input.maxCycles,
      },
      createdAt: input.createdAt ?? now,
      updatedAt: input.createdAt ?? now,
      amount: input.amount,
      quantity: input.quantity ?? 1,
      currencyCode,
      lineGid: store.newGid("SubscriptionLine"),
      lineTitle: input.lineTitle ?? "Subscription box",
      nextBillingDate: input.nextBillingDate,
      lastPaymentStatus: null,
      lastBillingAttemptErrorType: null,
      skippedCycles: new Set(),
      billedCycles: new Map(),
      revision: 1,
    };
    billing.contracts.set(contract.gid, contract);
    return { contractId: contract.gid, customerId: owner.customerId, paymentMethodId: owner.paymentMethodId };
  }

  return {
    createCustomer,
    createContract,

    /** The customer's name or email changed in Shopify (the app subscribes to no customers/update webhook: it reads them again). */
    updateCustomer(shop: string, customerId: string, input: Pick<CreateCustomerInput, "email" | "firstName" | "lastName">): void {
      const customer = store.forShop(shopDomain(shops, shop)).customers.get(customerId);
      if (!customer) throw new Error(`updateCustomer: no customer ${customerId} in this shop`);
      if (input.email !== undefined) customer.email = input.email;
      if (input.firstName !== undefined) customer.firstName = input.firstName;
      if (input.lastName !== undefined) customer.lastName = input.lastName;
    },

    /** A change made elsewhere (the customer portal, the merchant): raises the contract webhooks if the status changed. */
    setContractStatus(shop: string, contractId: string, status: ContractStatus): void {
      if (!(CONTRACT_STATUSES as readonly string[]).includes(status)) throw new Error(`setContractStatus: unknown status "${status}"`);
      const domain = shopDomain(shops, shop);
      changes.setStatus(domain, existingContract(store.forShop(domain), contractId), status);
    },

    /** Raises subscription_billing_cycles/skip unless the cycle already was skipped. */
    skipBillingCycle(shop: string, contractId: string, cycleIndex: number): void {
      const domain = shopDomain(shops, shop);
      changes.setCycleSkipped(domain, existingContract(store.forShop(domain), contractId), cycleIndex, true);
    },

    /** Replaces what the payment method does with its next attempts. */
    scriptPaymentMethod(paymentMethodId: string, outcomes: PaymentOutcome[], defaultOutcome?: PaymentOutcome): void {
      const found = store.findPaymentMethod(paymentMethodId);
      if (!found) throw new Error(`scriptPaymentMethod: no payment method ${paymentMethodId}`);
      found.method.script = outcomes.map(checkedOutcome);
      if (defaultOutcome !== undefined) found.method.defaultOutcome = checkedOutcome(defaultOutcome);
    },

    /** The customer updated the card: it does what `input` says from the next attempt on. */
    updatePaymentMethod(shop: string, paymentMethodId: string, input: PaymentMethodInput = {}): void {
      const domain = shopDomain(shops, shop);
      const method = existingPaymentMethod(store.forShop(domain), paymentMethodId, "updatePaymentMethod");
      if (method.revokedAt) throw new Error(`updatePaymentMethod: payment method ${paymentMethodId} is revoked; add a new one with addPaymentMethod()`);
      const script = (input.outcomes ?? []).map(checkedOutcome);
      const defaultOutcome = checkedOutcome(input.defaultOutcome ?? "success");
      method.script = script;
      method.defaultOutcome = defaultOutcome;
      webhooks.paymentMethodChanged(domain, method, "update");
    },

    /** The customer added a card, by default for all their live contracts: create, then one contract update per contract. */
    addPaymentMethod(shop: string, customerId: string, input: AddPaymentMethodInput = {}): { paymentMethodId: string } {
      const domain = shopDomain(shops, shop);
      const billing = store.forShop(domain);
      if (!billing.customers.has(customerId)) throw new Error(`addPaymentMethod: no customer ${customerId} in this shop`);
      const method = newPaymentMethod(billing, customerId, input);
      webhooks.paymentMethodChanged(domain, method, "create");
      if (input.assignToContracts ?? true) {
        for (const contract of billing.contracts.values()) {
          if (contract.customerGid !== customerId || (contract.status !== "ACTIVE" && contract.status !== "PAUSED")) continue;
          changes.assignPaymentMethod(domain, contract, method.gid);
        }
      }
      return { paymentMethodId: method.gid };
    },

    /** Contracts keep pointing at a revoked method, and their attempts fail with PAYMENT_METHOD_NOT_FOUND, until another is assigned. */
    revokePaymentMethod(shop: string, paymentMethodId: string): void {
      const domain = shopDomain(shops, shop);
      const method = existingPaymentMethod(store.forShop(domain), paymentMethodId, "revokePaymentMethod");
      if (method.revokedAt) throw new Error(`revokePaymentMethod: payment method ${paymentMethodId} is already revoked`);
      method.revokedAt = store.clock.now();
      webhooks.paymentMethodChanged(domain, method, "revoke");
    },

    paymentMethodsOf(shop: string, customerId: string): PaymentMethodSnapshot[] {
      const billing = billingOf(shop);
      if (!billing.customers.has(customerId)) throw new Error(`paymentMethodsOf: no customer ${customerId} in this shop`);
      return [...billing.paymentMethods.values()]
        .filter((method) => method.customerGid === customerId)
        .map((method) => ({ id: method.gid, customerId: method.customerGid, revokedAt: method.revokedAt }));
    },

    /** What the app's mutations did to contracts (pause, cancel, activate, skip, unskip), in order; the control API adds nothing. */
    contractActions(shop: string): ContractActionSnapshot[] {
      return billingOf(shop).contractActions.map(({ action, contractGid, cycleIndex, at }) => ({
        action,
        contractId: contractGid,
        ...(cycleIndex === undefined ? {} : { cycleIndex }),
        at,
      }));
    },

    listContracts(shop: string): ContractSnapshot[] {
      return [...billingOf(shop).contracts.values()].map((contract) => ({
        id: contract.gid,
        status: contract.status,
        customerId: contract.customerGid,
        paymentMethodId: contract.paymentMethodGid,
        interval: contract.schedule.interval,
        intervalCount: contract.schedule.intervalCount,
        nextBillingDate: contract.nextBillingDate,
        amount: contract.amount,
        currencyCode: contract.currencyCode,
        lastPaymentStatus: contract.lastPaymentStatus,
        createdAt: contract.createdAt,
      }));
    },

    /** `count` cycles from `from` (default: the first 12). */
    billingCycles(shop: string, contractId: string, range: { from?: number; count?: number } = {}): CycleSnapshot[] {
      const billing = billingOf(shop);
      const contract = existingContract(billing, contractId);
      const from = range.from ?? 1;
      return Array.from({ length: range.count ?? 12 }, (_, offset) => billing.cycle(contract, from + offset)).map((cycle) => ({
        cycleIndex: cycle.index,
        cycleStartAt: cycle.startAt,
        cycleEndAt: cycle.endAt,
        billingAttemptExpectedDate: cycle.billingAttemptExpectedDate,
        status: cycle.status,
        skipped: cycle.skipped,
        attemptIds: billing.attemptsOfCycle(contract.gid, cycle.index).map((attempt) => attempt.gid),
      }));
    },

    billingAttempts(shop: string): AttemptSnapshot[] {
      return [...billingOf(shop).attempts.values()].map(attemptSnapshot);
    },

    orders(shop: string): OrderSnapshot[] {
      return [...billingOf(shop).orders.values()].map((order) => ({
        id: order.gid,
        name: order.name,
        createdAt: order.createdAt,
        amount: order.amount,
        currencyCode: order.currencyCode,
        contractId: order.contractGid,
        billingAttemptId: order.attemptGid,
        cycleIndex: order.cycleIndex,
      }));
    },

    /**
     * Fault injection for reconciliation tests: an order Shopify created for the cycle through
     * a billing attempt the app did not make (say, a script charging with the app's token, or
     * a second deployment on another database). On a cycle already charged it is a double
     * charge, which Shopify itself would refuse. The attempt's key defaults to a fresh one.
     */
    plantOrder(shop: string, input: { contractId: string; cycleIndex: number; idempotencyKey?: string }): { attemptId: string; orderId: string; orderName: string } {
      const domain = shopDomain(shops, shop);
      const attempt = attempts.plantSuccess(domain, input.contractId, input.cycleIndex, input.idempotencyKey ?? `planted-${randomUUID()}`);
      const order = attempt.state.kind === "success" ? store.forShop(domain).orders.get(attempt.state.orderGid)! : undefined;
      return { attemptId: attempt.gid, orderId: order!.gid, orderName: order!.name };
    },

    /** The Flow triggers Shopify accepted from the app, in order (flowTriggerReceive). */
    flowTriggers(shop: string): Array<{ handle: string; payload: Record<string, unknown>; receivedAt: Date }> {
      return billingOf(shop).flowTriggers.map((trigger) => ({ ...trigger, payload: structuredClone(trigger.payload) }));
    },

    /** Successful charges (orders created) for the shop. */
    chargeCount(shop: string): number {
      return billingOf(shop).orders.size;
    },

    paymentUpdateEmails(shop: string): Array<{ paymentMethodId: string; customerId: string; sentAt: Date }> {
      return billingOf(shop).paymentUpdateEmails.map((email) => ({
        paymentMethodId: email.paymentMethodGid,
        customerId: email.customerGid,
        sentAt: email.sentAt,
      }));
    },
  };
}

export type BillingControl = ReturnType<typeof createBillingControl>;

function shopDomain(shops: SimulatedStore, domain: string): string {
  const normalized = normalizeShopDomain(domain);
  if (!normalized) throw new Error(`StoreSimulator: "${domain}" is not a *.myshopify.com domain`);
  shops.ensureShop(normalized);
  return normalized;
}

/** The customer and their newest unrevoked payment method, the one a new contract would be set up with. */
function existingCustomer(billing: ShopBilling, customerId: string): { customerId: string; paymentMethodId: string | null } {
  if (!billing.customers.has(customerId)) throw new Error(`createContract: no customer ${customerId} in this shop`);
  const method = [...billing.paymentMethods.values()].filter((candidate) => candidate.customerGid === customerId && !candidate.revokedAt).at(-1);
  return { customerId, paymentMethodId: method?.gid ?? null };
}

function existingPaymentMethod(billing: ShopBilling, paymentMethodId: string, caller: string): PaymentMethodRecord {
  const method = billing.paymentMethods.get(paymentMethodId);
  if (!method) throw new Error(`${caller}: no payment method ${paymentMethodId} in this shop`);
  return method;
}

function existingContract(billing: ShopBilling, contractId: string): ContractRecord {
  const contract = billing.contracts.get(contractId);
  if (!contract) throw new Error(`StoreSimulator: no subscription contract ${contractId} in this shop`);
  return contract;
}

function checkedOutcome(outcome: PaymentOutcome): PaymentOutcome {
  if (outcome === "success" || outcome === "action_required") return outcome;
  if (typeof outcome === "object" && isBillingAttemptErrorCode(outcome.error)) return { ...outcome };
  throw new Error(
    `StoreSimulator: payment outcome must be "success", "action_required" or { error: <SubscriptionBillingAttemptErrorCode> }, got ${JSON.stringify(outcome)}`,
  );
}

function attemptSnapshot(attempt: AttemptRecord): AttemptSnapshot {
  const { state } = attempt;
  return {
    id: attempt.gid,
    contractId: attempt.contractGid,
    cycleIndex: attempt.cycleIndex,
    idempotencyKey: attempt.idempotencyKey,
    state: state.kind,
    errorCode: state.kind === "failed" ? state.code : null,
    orderId: state.kind === "success" ? state.orderGid : null,
    nextActionUrl: state.kind === "action_required" ? state.nextActionUrl : null,
    createdAt: attempt.createdAt,
    completedAt: attempt.completedAt,
  };
}
