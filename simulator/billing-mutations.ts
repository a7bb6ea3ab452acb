import { randomUUID } from "node:crypto";
import { selectCycle, type CycleSelector } from "./billing-calendar";
import type { AttemptResult } from "./billing-attempts";
import type { BulkChargeFilters } from "./billing-bulk-charge";
import { type ContractActionRecord, type ContractRecord, type ContractStatus, isTerminated } from "./billing-state";
import { attemptView, type BillingContext, contractView, customerViewById, cycleView } from "./billing-views";

// Mutation fields for billing, as functions graphql-js calls with (args, context).

type InventoryPolicy = "ALLOW_OVERSELLING" | "PRODUCT_VARIANT_INVENTORY_POLICY";
type PaymentProcessingPolicy = "FAIL_UNLESS_VALID_PAYMENT_METHOD" | "SKIP_PAYMENT_AND_CREATE_UNPAID_ORDER";

interface BillingCycleInput {
  contractId: string;
  selector: CycleSelector;
}

function attemptPayload(ctx: BillingContext, result: AttemptResult) {
  return {
    subscriptionBillingAttempt: result.attempt ? attemptView(ctx, result.attempt) : null,
    userErrors: result.userErrors,
  };
}

/** subscriptionContractPause / Cancel / Activate: the same checks, a different target status. */
function updateContractStatus(ctx: BillingContext, contractId: string, status: ContractStatus, action: ContractActionRecord["action"]) {
  const contract = ctx.billing.contracts.get(contractId);
  if (!contract) {
    return { contract: null, userErrors: [{ field: ["subscriptionContractId"], message: "Subscription contract does not exist", code: "INVALID" }] };
  }
  if (isTerminated(contract.status)) {
    return {
      contract: null,
      userErrors: [{ field: ["subscriptionContractId"], message: "Subscription contract status cannot be changed once terminated", code: "CONTRACT_TERMINATED" }],
    };
  }
  // Pausing a paused contract answers ok but changes nothing, so raises no webhook; contractActions still records the call.
  ctx.changes.setStatus(ctx.shop, contract, status);
  ctx.billing.contractActions.push({ action, contractGid: contract.gid, at: ctx.store.clock.now() });
  return { contract: contractView(ctx, contract), userErrors: [] };
}

/** Skip or unskip: both find the cycle the same way and refuse a billed one. */
function setCycleSkipped(ctx: BillingContext, input: BillingCycleInput, skipped: boolean) {
  const invalid = (message: string) => ({ billingCycle: null, userErrors: [{ field: ["billingCycleInput"], message, code: "INVALID" }] });
  const contract: ContractRecord | undefined = ctx.billing.contracts.get(input.contractId);
  if (!contract) return invalid("Subscription contract does not exist");
  const selection = selectCycle(contract.schedule, input.selector, ctx.store.clock.now());
  if (!("index" in selection)) return invalid("Billing cycle selector cannot select this billing cycle");
  if (contract.billedCycles.has(selection.index)) return invalid("Billing cycle has already been billed");
  ctx.changes.setCycleSkipped(ctx.shop, contract, selection.index, skipped);
  ctx.billing.contractActions.push({
    action: skipped ? "SKIP" : "UNSKIP",
    contractGid: contract.gid,
    cycleIndex: selection.index,
    at: ctx.store.clock.now(),
  });
  return { billingCycle: cycleView(ctx, contract, selection.index), userErrors: [] };
}

export const billingMutationRoot = {
  subscriptionBillingAttemptCreate(
    args: {
      subscriptionContractId: string;
      subscriptionBillingAttemptInput: {
        idempotencyKey: string;
        billingCycleSelector?: CycleSelector | null;
        originTime?: Date | null;
        inventoryPolicy: InventoryPolicy;
        paymentProcessingPolicy?: PaymentProcessingPolicy | null;
      };
    },
    ctx: BillingContext,
  ) {
    const input = args.subscriptionBillingAttemptInput;
    const result = ctx.attempts.create(ctx.shop, args.subscriptionContractId, {
      idempotencyKey: input.idempotencyKey,
      cycleSelector: input.billingCycleSelector,
      originTime: input.originTime,
      respectInventoryPolicy: input.inventoryPolicy !== "ALLOW_OVERSELLING",
      skipPayment: input.paymentProcessingPolicy === "SKIP_PAYMENT_AND_CREATE_UNPAID_ORDER",
      refuseEarlyCharge: false,
      inputPath: ["subscriptionBillingAttemptInput"],
    });
    return attemptPayload(ctx, result);
  },

  subscriptionBillingCycleCharge(
    args: {
      subscriptionContractId: string;
      billingCycleSelector: CycleSelector;
      inventoryPolicy: InventoryPolicy;
      paymentProcessingPolicy?: PaymentProcessingPolicy | null;
    },
    ctx: BillingContext,
  ) {
    const contract = ctx.billing.contracts.get(args.subscriptionContractId);
    const now = ctx.store.clock.now();
    const selection = contract ? selectCycle(contract.schedule, args.billingCycleSelector, now) : undefined;
    const expected = contract && selection && "index" in selection ? ctx.billing.cycle(contract, selection.index).billingAttemptExpectedDate : undefined;
    const result = ctx.attempts.create(ctx.shop, args.subscriptionContractId, {
      // The mutation takes no key; a fresh one per call keeps retries possible, and the cycle checks prevent a double charge.
      idempotencyKey: `cycle-charge-${randomUUID()}`,
      cycleSelector: args.billingCycleSelector,
      // Shopify: the expected date if it has passed, otherwise now.
      originTime: expected && expected.getTime() < now.getTime() ? expected : now,
      respectInventoryPolicy: args.inventoryPolicy !== "ALLOW_OVERSELLING",
      skipPayment: args.paymentProcessingPolicy === "SKIP_PAYMENT_AND_CREATE_UNPAID_ORDER",
      refuseEarlyCharge: true,
      inputPath: [],
    });
    return attemptPayload(ctx, result);
  },

  subscriptionBillingCycleBulkCharge(
    args: {
      billingAttemptExpectedDateRange: { startDate: Date; endDate: Date };
      filters?: BulkChargeFilters | null;
      inventoryPolicy: InventoryPolicy;
      paymentProcessingPolicy: PaymentProcessingPolicy;
    },
    ctx: BillingContext,
  ) {
    const { job, userErrors } = ctx.bulkCharges.start(ctx.shop, {
      ...args.billingAttemptExpectedDateRange,
      filters: args.filters,
      respectInventoryPolicy: args.inventoryPolicy !== "ALLOW_OVERSELLING",
      skipPayment: args.paymentProcessingPolicy === "SKIP_PAYMENT_AND_CREATE_UNPAID_ORDER",
    });
    return { job: job ? { id: job.gid, done: job.done, query: null } : null, userErrors };
  },

  subscriptionBillingCycleSkip({ billingCycleInput }: { billingCycleInput: BillingCycleInput }, ctx: BillingContext) {
    return setCycleSkipped(ctx, billingCycleInput, true);
  },

  subscriptionBillingCycleUnskip({ billingCycleInput }: { billingCycleInput: BillingCycleInput }, ctx: BillingContext) {
    return setCycleSkipped(ctx, billingCycleInput, false);
  },

  subscriptionContractPause({ subscriptionContractId }: { subscriptionContractId: string }, ctx: BillingContext) {
    return updateContractStatus(ctx, subscriptionContractId, "PAUSED", "PAUSE");
  },

  subscriptionContractCancel({ subscriptionContractId }: { subscriptionContractId: string }, ctx: BillingContext) {
    return updateContractStatus(ctx, subscriptionContractId, "CANCELLED", "CANCEL");
  },

  subscriptionContractActivate({ subscriptionContractId }: { subscriptionContractId: string }, ctx: BillingContext) {
    return updateContractStatus(ctx, subscriptionContractId, "ACTIVE", "ACTIVATE");
  },

  customerPaymentMethodSendUpdateEmail({ customerPaymentMethodId }: { customerPaymentMethodId: string }, ctx: BillingContext) {
    const method = ctx.billing.paymentMethods.get(customerPaymentMethodId);
    if (!method) {
      return { customer: null, userErrors: [{ field: ["customerPaymentMethodId"], message: "Customer payment method does not exist" }] };
    }
    if (method.revokedAt) {
      return { customer: null, userErrors: [{ field: ["customerPaymentMethodId"], message: "Customer payment method has been revoked" }] };
    }
    ctx.billing.paymentUpdateEmails.push({ paymentMethodGid: method.gid, customerGid: method.customerGid, sentAt: ctx.store.clock.now() });
    return { customer: customerViewById(ctx, method.customerGid), userErrors: [] };
  },
};
