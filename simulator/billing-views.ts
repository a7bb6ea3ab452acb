import type { BillingAttemptProcessor } from "./billing-attempts";
import type { BulkChargeRunner } from "./billing-bulk-charge";
import { errorCategoryOf } from "./billing-error-codes";
import type {
  AttemptRecord,
  AttemptState,
  BillingStore,
  ContractRecord,
  CustomerRecord,
  OrderRecord,
  PaymentMethodRecord,
  ShopBilling,
} from "./billing-state";
import { type ConnectionArgs, paginate } from "./connections";
import type { ContractChanges } from "./contract-changes";
import type { FlowTriggerDefinition } from "./flow-triggers";
import type { SearchWarning } from "./search-query";

// GraphQL-shaped views of the billing records, for graphql-js's default resolvers:
// properties named like the schema's fields, functions for fields with arguments or
// fields worth computing only when selected, `__typename` on union members.

/** What every billing resolver needs: the request's shop and the simulator's services. */
export interface BillingContext {
  shop: string;
  billing: ShopBilling;
  store: BillingStore;
  attempts: BillingAttemptProcessor;
  bulkCharges: BulkChargeRunner;
  /** Status and skip changes go through here, so they raise their webhooks. */
  changes: ContractChanges;
  /** The app's Flow trigger extensions: what flowTriggerReceive accepts. */
  flowTriggers: readonly FlowTriggerDefinition[];
  /** Filled by resolvers that take a search `query`; reported in the response's extensions. */
  searchWarnings: Array<SearchWarning & { path: string }>;
}

export function money(amount: string, currencyCode: string): { amount: string; currencyCode: string } {
  return { amount, currencyCode };
}

export function contractView(ctx: BillingContext, contract: ContractRecord) {
  const { schedule } = contract;
  const unitPrice = money(contract.amount, contract.currencyCode);
  const line = {
    id: contract.lineGid,
    title: contract.lineTitle,
    quantity: contract.quantity,
    currentPrice: unitPrice,
    lineDiscountedPrice: money((Number(contract.amount) * contract.quantity).toFixed(2), contract.currencyCode),
    productId: null,
    variantId: null,
    variantTitle: null,
    sku: null,
    sellingPlanId: null,
    sellingPlanName: null,
    requiresShipping: false,
    taxable: false,
  };
  return {
    id: contract.gid,
    status: contract.status,
    createdAt: contract.createdAt,
    updatedAt: contract.updatedAt,
    nextBillingDate: contract.nextBillingDate,
    currencyCode: contract.currencyCode,
    lastPaymentStatus: contract.lastPaymentStatus,
    lastBillingAttemptErrorType: contract.lastBillingAttemptErrorType,
    note: null,
    originOrder: null,
    revisionId: String(contract.revision),
    deliveryPrice: money("0.0", contract.currencyCode),
    billingPolicy: {
      anchors: [],
      interval: schedule.interval,
      intervalCount: schedule.intervalCount,
      maxCycles: schedule.maxCycles ?? null,
      minCycles: null,
    },
    deliveryPolicy: { anchors: [], interval: schedule.interval, intervalCount: schedule.intervalCount },
    linesCount: { count: 1, precision: "EXACT" },
    lines: (args: ConnectionArgs) => paginate([line], args, (item) => item.id, (item) => item),
    customer: () => customerViewById(ctx, contract.customerGid),
    customerPaymentMethod: (args: ShowRevokedArgs) => {
      const method = contract.paymentMethodGid ? ctx.billing.paymentMethods.get(contract.paymentMethodGid) : undefined;
      return paymentMethodViewIfShown(ctx, method, args);
    },
    billingAttempts: (args: ConnectionArgs) =>
      paginate(ctx.billing.attemptsOfContract(contract.gid), args, (attempt) => attempt.gid, (attempt) => attemptView(ctx, attempt)),
    orders: (args: ConnectionArgs) =>
      paginate(ctx.billing.ordersOfContract(contract.gid), args, (order) => order.gid, (order) => orderView(ctx, order)),
  };
}

export function customerViewById(ctx: BillingContext, gid: string) {
  const customer = ctx.billing.customers.get(gid);
  return customer ? customerView(customer) : null;
}

function customerView(customer: CustomerRecord) {
  const displayName = `${customer.firstName} ${customer.lastName}`.trim() || customer.email || "";
  return {
    id: customer.gid,
    email: customer.email,
    defaultEmailAddress: customer.email ? { emailAddress: customer.email } : null,
    firstName: customer.firstName,
    lastName: customer.lastName,
    displayName,
  };
}

export interface ShowRevokedArgs {
  showRevoked?: boolean | null;
}

/** Shopify answers null for a revoked method unless asked to show revoked ones. */
export function paymentMethodViewIfShown(ctx: BillingContext, method: PaymentMethodRecord | undefined, { showRevoked }: ShowRevokedArgs) {
  if (!method || (method.revokedAt && !showRevoked)) return null;
  return paymentMethodView(ctx, method);
}

function paymentMethodView(ctx: BillingContext, method: PaymentMethodRecord) {
  return {
    id: method.gid,
    revokedAt: method.revokedAt,
    customer: () => customerViewById(ctx, method.customerGid),
    subscriptionContracts: (args: ConnectionArgs) => {
      const contracts = [...ctx.billing.contracts.values()].filter((contract) => contract.paymentMethodGid === method.gid);
      return paginate(contracts, args, (contract) => contract.gid, (contract) => contractView(ctx, contract));
    },
  };
}

export function cycleView(ctx: BillingContext, contract: ContractRecord, index: number) {
  const cycle = ctx.billing.cycle(contract, index);
  return {
    cycleIndex: cycle.index,
    cycleStartAt: cycle.startAt,
    cycleEndAt: cycle.endAt,
    billingAttemptExpectedDate: cycle.billingAttemptExpectedDate,
    skipped: cycle.skipped,
    edited: false,
    status: cycle.status,
    sourceContract: () => contractView(ctx, contract),
    billingAttempts: (args: ConnectionArgs) =>
      paginate(ctx.billing.attemptsOfCycle(contract.gid, index), args, (attempt) => attempt.gid, (attempt) => attemptView(ctx, attempt)),
  };
}

export function orderView(ctx: BillingContext, order: OrderRecord) {
  const total = money(order.amount, order.currencyCode);
  return {
    id: order.gid,
    name: order.name,
    createdAt: order.createdAt,
    totalPriceSet: { shopMoney: total, presentmentMoney: total },
    customer: () => {
      const contract = ctx.billing.contracts.get(order.contractGid);
      return contract ? customerViewById(ctx, contract.customerGid) : null;
    },
  };
}

export function attemptView(ctx: BillingContext, attempt: AttemptRecord) {
  const { state } = attempt;
  const failure = state.kind === "failed" ? state : undefined;
  const order = () => (state.kind === "success" ? orderOrNull(ctx, state.orderGid) : null);
  return {
    id: attempt.gid,
    idempotencyKey: attempt.idempotencyKey,
    createdAt: attempt.createdAt,
    completedAt: attempt.completedAt,
    originTime: attempt.originTime,
    paymentGroupId: null,
    paymentSessionId: null,
    respectInventoryPolicy: attempt.respectInventoryPolicy,
    state: () => stateView(ctx, state),
    ready: state.kind !== "pending",
    errorCode: failure?.code ?? null,
    errorMessage: failure?.message ?? null,
    nextActionUrl: state.kind === "action_required" ? state.nextActionUrl : null,
    order,
    processingError: failure
      ? { __typename: "SubscriptionBillingAttemptGenericError", code: failure.code, message: failure.message }
      : null,
    subscriptionContract: () => contractView(ctx, ctx.billing.contracts.get(attempt.contractGid)!),
  };
}

function orderOrNull(ctx: BillingContext, gid: string) {
  const order = ctx.billing.orders.get(gid);
  return order ? orderView(ctx, order) : null;
}

/** A member of the SubscriptionBillingAttemptState union. */
function stateView(ctx: BillingContext, state: AttemptState) {
  switch (state.kind) {
    case "pending":
      return { __typename: "SubscriptionBillingAttemptPendingState", processing: true };
    case "success":
      return { __typename: "SubscriptionBillingAttemptSuccessState", order: orderOrNull(ctx, state.orderGid) };
    case "action_required":
      return {
        __typename: "SubscriptionBillingAttemptActionRequiredState",
        action: {
          __typename: "SubscriptionBillingAttemptPaymentChallenge",
          nextActionUrl: state.nextActionUrl,
          status: "OFF_SESSION_REJECTED",
        },
      };
    case "failed":
      return { __typename: "SubscriptionBillingAttemptFailedState", error: errorView(state.code, state.message) };
  }
}

/** A member of the SubscriptionBillingAttemptError union, chosen by the code's category. */
function errorView(code: Extract<AttemptState, { kind: "failed" }>["code"], message: string) {
  switch (errorCategoryOf(code)) {
    case "PAYMENT":
      return { __typename: "SubscriptionBillingAttemptPaymentError", code };
    case "INVENTORY":
      return { __typename: "SubscriptionBillingAttemptInventoryError", code };
    case "GENERAL":
      return { __typename: "SubscriptionBillingAttemptGeneralError", code };
    case "UNEXPECTED":
      return { __typename: "SubscriptionBillingAttemptUnexpectedError", message };
  }
}
