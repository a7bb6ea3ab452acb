import { cycleIndexAt, cycleIndexesExpectedBetween, isCycleInRange, selectCycle, type CycleSelector } from "./billing-calendar";
import { type AttemptRecord, type ContractRecord, legacyIdOf } from "./billing-state";
import {
  attemptView,
  type BillingContext,
  contractView,
  customerViewById,
  cycleView,
  orderView,
  paymentMethodViewIfShown,
  type ShowRevokedArgs,
} from "./billing-views";
import { type ConnectionArgs, paginate } from "./connections";
import { filterBySearch } from "./search-query";

// QueryRoot fields for billing, as functions graphql-js calls with (args, context).

type ContractSortKey = "CREATED_AT" | "ID" | "STATUS" | "UPDATED_AT";

/** Without a range selector, cycles are listed from 1 up to this many past the current one. */
const DEFAULT_CYCLES_AHEAD = 250;

const CONTRACT_SEARCH_FIELDS: Record<string, (contract: ContractRecord) => string | number | Date | null> = {
  id: (contract) => legacyIdOf(contract.gid),
  status: (contract) => contract.status,
  created_at: (contract) => contract.createdAt,
  updated_at: (contract) => contract.updatedAt,
  last_billing_attempt_error_type: (contract) => contract.lastBillingAttemptErrorType,
};

/** The filters `subscriptionBillingAttempts(query:)` documents (2026-10): created_at, error_code, error_message, id. */
const ATTEMPT_SEARCH_FIELDS: Record<string, (attempt: AttemptRecord) => string | number | Date | null> = {
  id: (attempt) => legacyIdOf(attempt.gid),
  created_at: (attempt) => attempt.createdAt,
  error_code: (attempt) => (attempt.state.kind === "failed" ? attempt.state.code.toLowerCase() : null),
  error_message: (attempt) => (attempt.state.kind === "failed" ? attempt.state.message : null),
};

function sortAttempts(attempts: AttemptRecord[], sortKey: "CREATED_AT" | "ID"): AttemptRecord[] {
  // Ids grow with creation, so they break ties between attempts created in the same millisecond.
  const byId = (a: AttemptRecord, b: AttemptRecord) => legacyIdOf(a.gid) - legacyIdOf(b.gid);
  return [...attempts].sort(sortKey === "ID" ? byId : (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || byId(a, b));
}

function sortContracts(contracts: ContractRecord[], sortKey: ContractSortKey): ContractRecord[] {
  const key: Record<ContractSortKey, (contract: ContractRecord) => number | string> = {
    CREATED_AT: (contract) => contract.createdAt.getTime(),
    UPDATED_AT: (contract) => contract.updatedAt.getTime(),
    STATUS: (contract) => contract.status,
    ID: (contract) => legacyIdOf(contract.gid),
  };
  const byKey = key[sortKey];
  // Ties keep creation order, which is also id order.
  return [...contracts].sort((a, b) => (byKey(a) < byKey(b) ? -1 : byKey(a) > byKey(b) ? 1 : 0));
}

interface CyclesArgs extends ConnectionArgs {
  contractId: string;
  billingCyclesDateRangeSelector?: { startDate: Date; endDate: Date } | null;
  billingCyclesIndexRangeSelector?: { startIndex: number; endIndex: number } | null;
}

function cycleIndexesFor(ctx: BillingContext, contract: ContractRecord, args: CyclesArgs): number[] {
  const { schedule } = contract;
  const dates = args.billingCyclesDateRangeSelector;
  if (dates) return cycleIndexesExpectedBetween(schedule, dates.startDate, dates.endDate);
  const range = args.billingCyclesIndexRangeSelector;
  const start = range ? Math.max(1, range.startIndex) : 1;
  const end = range ? range.endIndex : Math.max(1, cycleIndexAt(schedule, ctx.store.clock.now())) + DEFAULT_CYCLES_AHEAD;
  const indexes: number[] = [];
  for (let index = start; index <= end && isCycleInRange(schedule, index); index++) indexes.push(index);
  return indexes;
}

export const billingQueryRoot = {
  subscriptionContract({ id }: { id: string }, ctx: BillingContext) {
    const contract = ctx.billing.contracts.get(id);
    return contract ? contractView(ctx, contract) : null;
  },

  subscriptionContracts(args: ConnectionArgs & { sortKey: ContractSortKey; query?: string | null }, ctx: BillingContext) {
    const { items, warnings } = filterBySearch([...ctx.billing.contracts.values()], args.query, CONTRACT_SEARCH_FIELDS);
    ctx.searchWarnings.push(...warnings.map((warning) => ({ ...warning, path: "subscriptionContracts" })));
    return paginate(sortContracts(items, args.sortKey), args, (contract) => contract.gid, (contract) => contractView(ctx, contract));
  },

  subscriptionBillingCycles(args: CyclesArgs, ctx: BillingContext) {
    const contract = ctx.billing.contracts.get(args.contractId);
    const indexes = contract ? cycleIndexesFor(ctx, contract, args) : [];
    return paginate(indexes, args, (index) => index, (index) => cycleView(ctx, contract!, index));
  },

  subscriptionBillingCycle(
    { billingCycleInput }: { billingCycleInput: { contractId: string; selector: CycleSelector } },
    ctx: BillingContext,
  ) {
    const contract = ctx.billing.contracts.get(billingCycleInput.contractId);
    if (!contract) return null;
    const selection = selectCycle(contract.schedule, billingCycleInput.selector, ctx.store.clock.now());
    return "index" in selection ? cycleView(ctx, contract, selection.index) : null;
  },

  subscriptionBillingCycleBulkResults(args: ConnectionArgs & { jobId: string }, ctx: BillingContext) {
    const cycles = ctx.billing.jobs.get(args.jobId)?.cycles ?? [];
    return paginate(
      cycles,
      args,
      (cycle) => `${cycle.contractGid}#${cycle.cycleIndex}`,
      (cycle) => cycleView(ctx, ctx.billing.contracts.get(cycle.contractGid)!, cycle.cycleIndex),
    );
  },

  subscriptionBillingAttempts(args: ConnectionArgs & { sortKey: "CREATED_AT" | "ID"; query?: string | null }, ctx: BillingContext) {
    const { items, warnings } = filterBySearch([...ctx.billing.attempts.values()], args.query, ATTEMPT_SEARCH_FIELDS);
    ctx.searchWarnings.push(...warnings.map((warning) => ({ ...warning, path: "subscriptionBillingAttempts" })));
    return paginate(sortAttempts(items, args.sortKey), args, (attempt) => attempt.gid, (attempt) => attemptView(ctx, attempt));
  },

  subscriptionBillingAttempt({ id }: { id: string }, ctx: BillingContext) {
    const attempt = ctx.billing.attempts.get(id);
    return attempt ? attemptView(ctx, attempt) : null;
  },

  customer({ id }: { id: string }, ctx: BillingContext) {
    return customerViewById(ctx, id);
  },

  customerPaymentMethod({ id, ...args }: { id: string } & ShowRevokedArgs, ctx: BillingContext) {
    return paymentMethodViewIfShown(ctx, ctx.billing.paymentMethods.get(id), args);
  },

  order({ id }: { id: string }, ctx: BillingContext) {
    const order = ctx.billing.orders.get(id);
    return order ? orderView(ctx, order) : null;
  },

  job({ id }: { id: string }, ctx: BillingContext, info: { rootValue: unknown }) {
    const job = ctx.billing.jobs.get(id);
    // Job.query resolves only once the job is done.
    return job ? { id: job.gid, done: job.done, query: job.done ? info.rootValue : null } : null;
  },
};
