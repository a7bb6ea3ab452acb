import { randomBytes } from "node:crypto";
import { type BillingSchedule, cycleWindow, type CycleWindow, isCycleInRange } from "./billing-calendar";
import type { BillingAttemptErrorCode } from "./billing-error-codes";
import type { FlowTriggerRecord } from "./flow-triggers";
import type { SimulatedClock } from "./simulated-clock";

// Billing state: customers, payment methods, contracts, attempts, orders and bulk jobs,
// one ShopBilling per shop. Cycles are not stored: they derive from a contract's schedule
// plus the indexes that were skipped or billed.

export const CONTRACT_STATUSES = ["ACTIVE", "PAUSED", "CANCELLED", "EXPIRED", "FAILED"] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

/** What a payment method does with the next billing attempt: charge, decline with a code, or ask for 3-D Secure. */
export type PaymentOutcome = "success" | "action_required" | { error: BillingAttemptErrorCode; message?: string };

export interface CustomerRecord {
  gid: string;
  email: string | null;
  firstName: string;
  lastName: string;
}

export interface PaymentMethodRecord {
  gid: string;
  customerGid: string;
  /** Consumed one per completed attempt, then `defaultOutcome`. */
  script: PaymentOutcome[];
  defaultOutcome: PaymentOutcome;
  /** Set once the customer (or the test) revoked it; attempts on it then fail with PAYMENT_METHOD_NOT_FOUND. */
  revokedAt: Date | null;
}

export interface ContractRecord {
  gid: string;
  customerGid: string;
  paymentMethodGid: string | null;
  status: ContractStatus;
  schedule: BillingSchedule;
  createdAt: Date;
  updatedAt: Date;
  /** Price of one unit, as a decimal string ("29.00"). */
  amount: string;
  quantity: number;
  currencyCode: string;
  lineGid: string;
  lineTitle: string;
  nextBillingDate: Date | null;
  lastPaymentStatus: "SUCCEEDED" | "FAILED" | null;
  lastBillingAttemptErrorType: "PAYMENT_ERROR" | "INVENTORY_ERROR" | "CUSTOMER_ERROR" | "OTHER" | null;
  skippedCycles: Set<number>;
  /** Cycle index -> the successful attempt's gid. */
  billedCycles: Map<number, string>;
  revision: number;
}

/** What the app did to a contract through the Admin API, for tests counting its actions. */
export interface ContractActionRecord {
  action: "PAUSE" | "CANCEL" | "ACTIVATE" | "SKIP" | "UNSKIP";
  contractGid: string;
  /** The skipped or unskipped cycle. */
  cycleIndex?: number;
  at: Date;
}

export type AttemptState =
  | { kind: "pending" }
  | { kind: "success"; orderGid: string }
  | { kind: "failed"; code: BillingAttemptErrorCode; message: string }
  | { kind: "action_required"; nextActionUrl: string };

export interface AttemptRecord {
  gid: string;
  contractGid: string;
  cycleIndex: number;
  idempotencyKey: string;
  originTime: Date | null;
  createdAt: Date;
  completedAt: Date | null;
  respectInventoryPolicy: boolean;
  /** SKIP_PAYMENT_AND_CREATE_UNPAID_ORDER: the order is created without charging. */
  skipPayment: boolean;
  state: AttemptState;
}

export interface OrderRecord {
  gid: string;
  name: string;
  createdAt: Date;
  amount: string;
  currencyCode: string;
  contractGid: string;
  attemptGid: string;
  cycleIndex: number;
}

export interface BulkChargeJobRecord {
  gid: string;
  done: boolean;
  /** The cycles the job matched, in the order it charged them. */
  cycles: Array<{ contractGid: string; cycleIndex: number }>;
}

export interface CycleState extends CycleWindow {
  contractGid: string;
  skipped: boolean;
  status: "BILLED" | "UNBILLED";
}

export class ShopBilling {
  readonly customers = new Map<string, CustomerRecord>();
  readonly paymentMethods = new Map<string, PaymentMethodRecord>();
  readonly contracts = new Map<string, ContractRecord>();
  readonly attempts = new Map<string, AttemptRecord>();
  readonly attemptsByIdempotencyKey = new Map<string, AttemptRecord>();
  readonly orders = new Map<string, OrderRecord>();
  readonly jobs = new Map<string, BulkChargeJobRecord>();
  readonly paymentUpdateEmails: Array<{ paymentMethodGid: string; customerGid: string; sentAt: Date }> = [];
  /** Filled by the mutations only, not by the control API. */
  readonly contractActions: ContractActionRecord[] = [];
  /** The Flow triggers Shopify accepted from the app (flowTriggerReceive), in order. */
  readonly flowTriggers: FlowTriggerRecord[] = [];
  private nextOrderNumber = 1001;

  nextOrderName(): string {
    return `#${this.nextOrderNumber++}`;
  }

  cycle(contract: ContractRecord, index: number): CycleState {
    return {
      ...cycleWindow(contract.schedule, index),
      contractGid: contract.gid,
      skipped: contract.skippedCycles.has(index),
      status: contract.billedCycles.has(index) ? "BILLED" : "UNBILLED",
    };
  }

  attemptsOfContract(contractGid: string): AttemptRecord[] {
    return [...this.attempts.values()].filter((attempt) => attempt.contractGid === contractGid);
  }

  attemptsOfCycle(contractGid: string, cycleIndex: number): AttemptRecord[] {
    return this.attemptsOfContract(contractGid).filter((attempt) => attempt.cycleIndex === cycleIndex);
  }

  ordersOfContract(contractGid: string): OrderRecord[] {
    return [...this.orders.values()].filter((order) => order.contractGid === contractGid);
  }

  /** The first unbilled, unskipped cycle after the last billed one; null once the policy's cycles run out. */
  refreshNextBillingDate(contract: ContractRecord): void {
    let index = Math.max(0, ...contract.billedCycles.keys()) + 1;
    while (isCycleInRange(contract.schedule, index) && contract.skippedCycles.has(index)) index++;
    contract.nextBillingDate = isCycleInRange(contract.schedule, index)
      ? cycleWindow(contract.schedule, index).billingAttemptExpectedDate
      : null;
  }
}

/** Numeric ids per resource type, shared by all shops, as Shopify's are global. */
export class BillingStore {
  private readonly shops = new Map<string, ShopBilling>();
  private readonly sequences = new Map<string, number>();

  constructor(readonly clock: SimulatedClock) {}

  forShop(shop: string): ShopBilling {
    let billing = this.shops.get(shop);
    if (!billing) {
      billing = new ShopBilling();
      this.shops.set(shop, billing);
    }
    return billing;
  }

  /** "gid://shopify/SubscriptionContract/1000001" */
  newGid(type: string): string {
    const next = (this.sequences.get(type) ?? 1_000_000) + 1;
    this.sequences.set(type, next);
    return `gid://shopify/${type}/${next}`;
  }

  /** Payment method ids are opaque tokens on Shopify, not numbers. */
  newPaymentMethodGid(): string {
    return `gid://shopify/CustomerPaymentMethod/${randomBytes(16).toString("hex")}`;
  }

  findPaymentMethod(gid: string): { shop: string; method: PaymentMethodRecord } | undefined {
    for (const [shop, billing] of this.shops) {
      const method = billing.paymentMethods.get(gid);
      if (method) return { shop, method };
    }
    return undefined;
  }
}

/** The numeric tail of a gid: "gid://shopify/Order/12" -> 12. */
export function legacyIdOf(gid: string): number {
  return Number(gid.slice(gid.lastIndexOf("/") + 1));
}

export function isTerminated(status: ContractStatus): boolean {
  return status === "CANCELLED" || status === "EXPIRED" || status === "FAILED";
}
