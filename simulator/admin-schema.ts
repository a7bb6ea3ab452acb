import { buildSchema, type GraphQLSchema } from "graphql";

/**
 * A subset of Shopify's Admin GraphQL API (2026-10). Type and field names must match
 * Shopify's exactly: the point is that a query the app sends here would also be valid
 * against the real API, so a typo fails validation in tests instead of in production.
 * Add types as the app starts using them (subscription contracts, billing cycles,
 * billing attempts, ...), copying names and nullability from Shopify's reference.
 */
export const ADMIN_SCHEMA_SDL = /* GraphQL */ `
  schema {
    query: QueryRoot
  }

  type QueryRoot {
    shop: Shop!
  }

  type Shop {
    id: ID!
    name: String!
    email: String!
    myshopifyDomain: String!
    ianaTimezone: String!
    timezoneAbbreviation: String!
    currencyCode: CurrencyCode!
  }

  enum CurrencyCode {
    USD
    EUR
    GBP
    CAD
    AUD
    JPY
    NZD
  }
`;

export const adminSchema: GraphQLSchema = buildSchema(ADMIN_SCHEMA_SDL);
