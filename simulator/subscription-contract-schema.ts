import { SELLING_PLAN_INTERVALS } from "./billing-calendar";
import { CONTRACT_STATUSES } from "./billing-state";

/**
 * Admin API 2026-10 subset: subscription contracts, their customers and payment methods,
 * billing cycles and orders, with the queries that read them. Names, arguments and
 * nullability as in Shopify's reference; fields the app does not need yet are left out.
 */
export const SUBSCRIPTION_CONTRACT_SDL = /* GraphQL */ `
  extend type QueryRoot {
    subscriptionContract(id: ID!): SubscriptionContract
    subscriptionContracts(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      sortKey: SubscriptionContractsSortKeys = CREATED_AT
      query: String
    ): SubscriptionContractConnection!
    subscriptionBillingCycle(billingCycleInput: SubscriptionBillingCycleInput!): SubscriptionBillingCycle
    subscriptionBillingCycles(
      contractId: ID!
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      sortKey: SubscriptionBillingCyclesSortKeys = CYCLE_INDEX
      billingCyclesDateRangeSelector: SubscriptionBillingCyclesDateRangeSelector
      billingCyclesIndexRangeSelector: SubscriptionBillingCyclesIndexRangeSelector
    ): SubscriptionBillingCycleConnection!
    subscriptionBillingCycleBulkResults(
      jobId: ID!
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
    ): SubscriptionBillingCycleConnection!
    customer(id: ID!): Customer
    customerPaymentMethod(id: ID!, showRevoked: Boolean = false): CustomerPaymentMethod
    order(id: ID!): Order
    job(id: ID!): Job
  }

  type SubscriptionContract implements Node {
    billingAttempts(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): SubscriptionBillingAttemptConnection!
    billingPolicy: SubscriptionBillingPolicy!
    createdAt: DateTime!
    currencyCode: CurrencyCode!
    customer: Customer
    customerPaymentMethod(showRevoked: Boolean = false): CustomerPaymentMethod
    deliveryPolicy: SubscriptionDeliveryPolicy!
    deliveryPrice: MoneyV2!
    id: ID!
    lastBillingAttemptErrorType: SubscriptionContractLastBillingErrorType
    lastPaymentStatus: SubscriptionContractLastPaymentStatus
    lines(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): SubscriptionLineConnection!
    linesCount: Count
    nextBillingDate: DateTime
    note: String
    orders(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): OrderConnection!
    originOrder: Order
    revisionId: UnsignedInt64!
    status: SubscriptionContractSubscriptionStatus!
    updatedAt: DateTime!
  }

  enum SubscriptionContractSubscriptionStatus {
    ${CONTRACT_STATUSES.join("\n    ")}
  }

  enum SubscriptionContractLastPaymentStatus {
    FAILED
    SUCCEEDED
  }

  enum SubscriptionContractLastBillingErrorType {
    CUSTOMER_ERROR
    INVENTORY_ERROR
    OTHER
    PAYMENT_ERROR
  }

  enum SubscriptionContractsSortKeys {
    CREATED_AT
    ID
    STATUS
    UPDATED_AT
  }

  type SubscriptionContractConnection {
    edges: [SubscriptionContractEdge!]!
    nodes: [SubscriptionContract!]!
    pageInfo: PageInfo!
  }

  type SubscriptionContractEdge {
    cursor: String!
    node: SubscriptionContract!
  }

  type SubscriptionBillingPolicy {
    anchors: [SellingPlanAnchor!]!
    interval: SellingPlanInterval!
    intervalCount: Int!
    maxCycles: Int
    minCycles: Int
  }

  type SubscriptionDeliveryPolicy {
    anchors: [SellingPlanAnchor!]!
    interval: SellingPlanInterval!
    intervalCount: Int!
  }

  type SellingPlanAnchor {
    cutoffDay: Int
    day: Int!
    month: Int
    type: SellingPlanAnchorType!
  }

  enum SellingPlanAnchorType {
    MONTHDAY
    WEEKDAY
    YEARDAY
  }

  enum SellingPlanInterval {
    ${SELLING_PLAN_INTERVALS.join("\n    ")}
  }

  type SubscriptionLine {
    currentPrice: MoneyV2!
    id: ID!
    lineDiscountedPrice: MoneyV2!
    productId: ID
    quantity: Int!
    requiresShipping: Boolean!
    sellingPlanId: ID
    sellingPlanName: String
    sku: String
    taxable: Boolean!
    title: String!
    variantId: ID
    variantTitle: String
  }

  type SubscriptionLineConnection {
    edges: [SubscriptionLineEdge!]!
    nodes: [SubscriptionLine!]!
    pageInfo: PageInfo!
  }

  type SubscriptionLineEdge {
    cursor: String!
    node: SubscriptionLine!
  }

  type Customer implements Node {
    defaultEmailAddress: CustomerEmailAddress
    displayName: String!
    email: String @deprecated(reason: "Use \`defaultEmailAddress.emailAddress\` instead.")
    firstName: String
    id: ID!
    lastName: String
  }

  type CustomerEmailAddress {
    emailAddress: String!
  }

  type CustomerPaymentMethod implements Node {
    customer: Customer
    id: ID!
    revokedAt: DateTime
    subscriptionContracts(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): SubscriptionContractConnection!
  }

  type SubscriptionBillingCycle {
    billingAttemptExpectedDate: DateTime!
    billingAttempts(first: Int, after: String, last: Int, before: String, reverse: Boolean = false): SubscriptionBillingAttemptConnection!
    cycleEndAt: DateTime!
    cycleIndex: Int!
    cycleStartAt: DateTime!
    edited: Boolean!
    skipped: Boolean!
    sourceContract: SubscriptionContract!
    status: SubscriptionBillingCycleBillingCycleStatus!
  }

  enum SubscriptionBillingCycleBillingCycleStatus {
    BILLED
    UNBILLED
  }

  enum SubscriptionBillingCyclesSortKeys {
    CYCLE_INDEX
    ID
  }

  type SubscriptionBillingCycleConnection {
    edges: [SubscriptionBillingCycleEdge!]!
    nodes: [SubscriptionBillingCycle!]!
    pageInfo: PageInfo!
  }

  type SubscriptionBillingCycleEdge {
    cursor: String!
    node: SubscriptionBillingCycle!
  }

  input SubscriptionBillingCycleInput {
    contractId: ID!
    selector: SubscriptionBillingCycleSelector!
  }

  input SubscriptionBillingCycleSelector {
    date: DateTime
    index: Int
  }

  input SubscriptionBillingCyclesDateRangeSelector {
    endDate: DateTime!
    startDate: DateTime!
  }

  input SubscriptionBillingCyclesIndexRangeSelector {
    endIndex: Int!
    startIndex: Int!
  }

  type Order implements Node {
    createdAt: DateTime!
    customer: Customer
    id: ID!
    name: String!
    totalPriceSet: MoneyBag!
  }

  type OrderConnection {
    edges: [OrderEdge!]!
    nodes: [Order!]!
    pageInfo: PageInfo!
  }

  type OrderEdge {
    cursor: String!
    node: Order!
  }
`;
