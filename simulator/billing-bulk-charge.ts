import { cycleIndexesExpectedBetween } from "./billing-calendar";
import type { BillingAttemptProcessor } from "./billing-attempts";
import { type BillingStore, type BulkChargeJobRecord, type ContractStatus, legacyIdOf, type ShopBilling } from "./billing-state";

// subscriptionBillingCycleBulkCharge: a job that, in the background, finds the cycles
// expected in a date range and creates a billing attempt for each chargeable one.
// subscriptionBillingCycleBulkResults lists the cycles the job matched.

export interface BulkChargeFilters {
  billingAttemptStatus?: "ANY" | "HAS_ATTEMPT" | "NO_ATTEMPT" | null;
  billingCycleStatus?: Array<"BILLED" | "UNBILLED"> | null;
  contractStatus?: ContractStatus[] | null;
}

export interface BulkChargeRequest {
  startDate: Date;
  endDate: Date;
  filters?: BulkChargeFilters | null;
  respectInventoryPolicy: boolean;
  skipPayment: boolean;
}

export interface BulkUserError {
  field: string[] | null;
  message: string;
  code: "BLANK" | "END_DATE_IN_THE_FUTURE" | "INVALID" | "INVALID_DATE_RANGE" | "START_DATE_BEFORE_END_DATE";
}

const HOUR_MS = 3_600_000;
const MAX_RANGE_MS = 7 * 24 * HOUR_MS;

export class BulkChargeRunner {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: BillingStore,
    private readonly attempts: BillingAttemptProcessor,
    private readonly options: { processingMs: number; onSettled: () => void },
  ) {}

  start(shop: string, request: BulkChargeRequest): { job: BulkChargeJobRecord | null; userErrors: BulkUserError[] } {
    const problem = validateRange(request.startDate, request.endDate, this.store.clock.now());
    if (problem) return { job: null, userErrors: [problem] };
    const job: BulkChargeJobRecord = { gid: this.store.newGid("Job"), done: false, cycles: [] };
    this.store.forShop(shop).jobs.set(job.gid, job);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.run(shop, job, request);
      this.options.onSettled();
    }, this.options.processingMs);
    this.timers.add(timer);
    return { job, userErrors: [] };
  }

  isIdle(): boolean {
    return this.timers.size === 0;
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private run(shop: string, job: BulkChargeJobRecord, request: BulkChargeRequest): void {
    const billing = this.store.forShop(shop);
    for (const contract of billing.contracts.values()) {
      if (request.filters?.contractStatus?.length && !request.filters.contractStatus.includes(contract.status)) continue;
      for (const index of cycleIndexesExpectedBetween(contract.schedule, request.startDate, request.endDate)) {
        if (!matchesCycleFilters(billing, contract.gid, billing.cycle(contract, index).status, index, request.filters)) continue;
        job.cycles.push({ contractGid: contract.gid, cycleIndex: index });
        // Cycles that cannot be charged (paused contract, skipped, billed) are matched but get no attempt, as on Shopify.
        this.attempts.create(shop, contract.gid, {
          idempotencyKey: `bulk-charge-${legacyIdOf(job.gid)}-${legacyIdOf(contract.gid)}-${index}`,
          cycleSelector: { index },
          respectInventoryPolicy: request.respectInventoryPolicy,
          skipPayment: request.skipPayment,
          refuseEarlyCharge: false,
          inputPath: [],
        });
      }
    }
    job.done = true;
  }
}

function matchesCycleFilters(
  billing: ShopBilling,
  contractGid: string,
  status: "BILLED" | "UNBILLED",
  index: number,
  filters: BulkChargeFilters | null | undefined,
): boolean {
  if (filters?.billingCycleStatus?.length && !filters.billingCycleStatus.includes(status)) return false;
  const hasAttempt = billing.attemptsOfCycle(contractGid, index).length > 0;
  if (filters?.billingAttemptStatus === "HAS_ATTEMPT") return hasAttempt;
  if (filters?.billingAttemptStatus === "NO_ATTEMPT") return !hasAttempt;
  return true;
}

function validateRange(startDate: Date, endDate: Date, now: Date): BulkUserError | undefined {
  const field = ["billingAttemptExpectedDateRange"];
  if (startDate.getTime() >= endDate.getTime()) {
    return { code: "START_DATE_BEFORE_END_DATE", message: "Start date should be before end date.", field };
  }
  if (endDate.getTime() - startDate.getTime() > MAX_RANGE_MS) {
    return { code: "INVALID_DATE_RANGE", message: "The range between start date and end date shouldn't be more than 1 week.", field };
  }
  if (endDate.getTime() > now.getTime() + 24 * HOUR_MS) {
    return { code: "END_DATE_IN_THE_FUTURE", message: "End date can't be more than 24 hours in the future.", field };
  }
  return undefined;
}
