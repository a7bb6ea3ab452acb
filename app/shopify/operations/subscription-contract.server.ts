import type { AdminApiClient, AdminOperation } from "../admin-api-client.server";
import { CUSTOMER_FIELDS, customerOf, type ContractCustomer, type CustomerNode } from "./subscription-billing-cycles.server";

/** What dunning reads about a contract before it retries, emails or applies the final action. */
export const SubscriptionContractForDunning: AdminOperation<
  { subscriptionContract: ContractNode | null; subscriptionBillingCycle: { cycleIndex: number; skipped: boolean; status: string } | null },
  { id: string; cycleIndex: number }
> = {
  name: "SubscriptionContractForDunning",
  document: `#graphql
    query SubscriptionContractForDunning($id: ID!, $cycleIndex: Int!) {
      subscriptionContract(id: $id) {
        id
        status
        currencyCode
        customer { ${CUSTOMER_FIELDS} }
        customerPaymentMethod(showRevoked: true) { id revokedAt }
        lines(first: 50) { nodes { quantity currentPrice { amount currencyCode } } }
      }
      subscriptionBillingCycle(billingCycleInput: { contractId: $id, selector: { index: $cycleIndex } }) {
        cycleIndex
        skipped
        status
      }
    }
  `,
  estimatedCost: 13,
};

interface ContractNode {
  id: string;
  status: string;
  currencyCode: string;
  customer: CustomerNode | null;
  customerPaymentMethod: { id: string; revokedAt: string | null } | null;
  lines: { nodes: Array<{ quantity: number; currentPrice: { amount: string; currencyCode: string } }> };
}

export interface ContractForDunning {
  status: "ACTIVE" | "PAUSED" | "CANCELLED" | "EXPIRED" | "FAILED" | string;
  customerId: string | null;
  /** Who the customer is, for the admin's pages (null: the contract has none). */
  customer: ContractCustomer | null;
  /** The contract's payment method, unless revoked. */
  paymentMethodId: string | null;
  /** What one cycle costs (the lines; delivery excluded), as a decimal string. */
  cycleAmount: string;
  currencyCode: string;
  cycle: { skipped: boolean; billed: boolean } | null;
}

export async function fetchContractForDunning(client: AdminApiClient, contractId: string, cycleIndex: number): Promise<ContractForDunning | null> {
  const data = await client.request(SubscriptionContractForDunning, { id: contractId, cycleIndex });
  const contract = data.subscriptionContract;
  if (!contract) return null;
  const cents = contract.lines.nodes.reduce((sum, line) => sum + Math.round(Number(line.currentPrice.amount) * 100) * line.quantity, 0);
  const method = contract.customerPaymentMethod;
  const cycle = data.subscriptionBillingCycle;
  return {
    status: contract.status,
    customerId: contract.customer?.id ?? null,
    customer: customerOf(contract.customer),
    paymentMethodId: method && !method.revokedAt ? method.id : null,
    cycleAmount: (cents / 100).toFixed(2),
    currencyCode: contract.currencyCode,
    cycle: cycle ? { skipped: cycle.skipped, billed: cycle.status === "BILLED" } : null,
  };
}
