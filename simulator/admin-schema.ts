import { buildSchema, type GraphQLSchema } from "graphql";
import { installAdminScalars } from "./admin-scalars";
import { BILLING_ATTEMPT_SDL } from "./billing-attempt-schema";
import { FLOW_TRIGGER_SDL } from "./flow-triggers";
import { SUBSCRIPTION_CONTRACT_SDL } from "./subscription-contract-schema";

/**
 * A subset of Shopify's Admin GraphQL API (2026-10). Type and field names must match
 * Shopify's exactly: the point is that a query the app sends here would also be valid
 * against the real API, so a typo fails validation in tests instead of in production.
 * Add types as the app starts using them, copying names and nullability from Shopify's
 * reference. Billing types live in subscription-contract-schema.ts and billing-attempt-schema.ts, Flow's in flow-triggers.ts.
 */
export const ADMIN_SCHEMA_SDL = /* GraphQL */ `
  schema {
    query: QueryRoot
    mutation: Mutation
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

  scalar DateTime
  scalar Decimal
  scalar URL
  scalar UnsignedInt64

  interface Node {
    id: ID!
  }

  interface DisplayableError {
    field: [String!]
    message: String!
  }

  type UserError implements DisplayableError {
    field: [String!]
    message: String!
  }

  type PageInfo {
    endCursor: String
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
  }

  type MoneyV2 {
    amount: Decimal!
    currencyCode: CurrencyCode!
  }

  type MoneyBag {
    presentmentMoney: MoneyV2!
    shopMoney: MoneyV2!
  }

  type Count {
    count: Int!
    precision: CountPrecision!
  }

  enum CountPrecision {
    AT_LEAST
    EXACT
  }

  type Job {
    done: Boolean!
    id: ID!
    query: QueryRoot
  }

  ${SUBSCRIPTION_CONTRACT_SDL}

  ${BILLING_ATTEMPT_SDL}

  ${FLOW_TRIGGER_SDL}
`;

function buildAdminSchema(): GraphQLSchema {
  const schema = buildSchema(ADMIN_SCHEMA_SDL);
  installAdminScalars(schema);
  return schema;
}

export const adminSchema: GraphQLSchema = buildAdminSchema();
