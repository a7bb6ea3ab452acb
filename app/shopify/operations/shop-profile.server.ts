import { runAdminOperation, type AdminGraphql } from "../admin-graphql.server";

export const SHOP_PROFILE_QUERY = `#graphql
  query ShopProfile {
    shop {
      name
      myshopifyDomain
      ianaTimezone
      currencyCode
    }
  }
`;

export interface ShopProfile {
  name: string;
  myshopifyDomain: string;
  ianaTimezone: string;
  currencyCode: string;
}

export async function fetchShopProfile(graphql: AdminGraphql): Promise<ShopProfile> {
  const data = await runAdminOperation<{ shop: ShopProfile }>(graphql, "ShopProfile", SHOP_PROFILE_QUERY);
  return data.shop;
}
