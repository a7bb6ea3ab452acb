// Links from the app into Shopify admin. Embedded apps navigate admin with the `shopify:`
// protocol (App Bridge opens it in the top frame), so no store handle is needed.

function numericId(gid: string | null | undefined, type: string): string | undefined {
  const match = gid ? new RegExp(`^gid://shopify/${type}/(\\d+)$`).exec(gid) : null;
  return match?.[1];
}

/** The customer's page in Shopify admin (their subscriptions, orders and payment methods). */
export function customerAdminUrl(customerGid: string | null | undefined): string | undefined {
  const id = numericId(customerGid, "Customer");
  return id ? `shopify://admin/customers/${id}` : undefined;
}

/** The order's page in Shopify admin. */
export function orderAdminUrl(orderGid: string | null | undefined): string | undefined {
  const id = numericId(orderGid, "Order");
  return id ? `shopify://admin/orders/${id}` : undefined;
}

/** "gid://shopify/SubscriptionContract/42" -> "42": how a contract is named to merchants (#42). */
export function contractNumber(contractGid: string): string {
  return numericId(contractGid, "SubscriptionContract") ?? contractGid.split("/").pop() ?? contractGid;
}
