import type { BillingStore, ContractRecord, ContractStatus } from "./billing-state";
import type { BillingWebhooks } from "./billing-webhooks";

// Changes to a contract that Shopify announces by webhook. The mutations and the control
// API both make them here, so neither can change a contract without its webhook.

export class ContractChanges {
  constructor(
    private readonly store: BillingStore,
    private readonly webhooks: BillingWebhooks,
  ) {}

  /** False, with nothing changed or sent, when the contract already has the status (Shopify still answers ok). */
  setStatus(shop: string, contract: ContractRecord, status: ContractStatus): boolean {
    if (contract.status === status) return false;
    contract.status = status;
    this.revise(contract);
    this.webhooks.contractUpdated(shop, contract, { statusChanged: true });
    return true;
  }

  /** False, with nothing changed or sent, when the cycle already was (un)skipped. */
  setCycleSkipped(shop: string, contract: ContractRecord, cycleIndex: number, skipped: boolean): boolean {
    if (contract.skippedCycles.has(cycleIndex) === skipped) return false;
    const billing = this.store.forShop(shop);
    if (skipped) contract.skippedCycles.add(cycleIndex);
    else contract.skippedCycles.delete(cycleIndex);
    // A skip edits the cycle, not the contract: no new revision.
    contract.updatedAt = this.store.clock.now();
    billing.refreshNextBillingDate(contract);
    this.webhooks.cycleSkipChanged(shop, billing.cycle(contract, cycleIndex));
    return true;
  }

  assignPaymentMethod(shop: string, contract: ContractRecord, paymentMethodGid: string): void {
    if (contract.paymentMethodGid === paymentMethodGid) return;
    contract.paymentMethodGid = paymentMethodGid;
    this.revise(contract);
    this.webhooks.contractUpdated(shop, contract, { statusChanged: false });
  }

  private revise(contract: ContractRecord): void {
    contract.updatedAt = this.store.clock.now();
    contract.revision++;
  }
}
