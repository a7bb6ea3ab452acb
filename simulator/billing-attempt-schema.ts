import {
  ALL_BILLING_ATTEMPT_ERROR_CODES,
  BILLING_ATTEMPT_USER_ERRORS,
  GENERAL_ERROR_CODES,
  INVENTORY_ERROR_CODES,
  PAYMENT_ERROR_CODES,
} from "./billing-error-codes";

const enumBody = (values: readonly string[]) => values.join("\n    ");

/**
 * Admin API 2026-10 subset: billing attempts (with the `state` union introduced in
 * 2026-04 and the fields it deprecated; the shop's attempts listed and searched by
 * `subscriptionBillingAttempts`), charging and skipping cycles, pausing and
 * cancelling contracts, and the payment-method update email.
 */
export const BILLING_ATTEMPT_SDL = /* GraphQL */ `
  extend type QueryRoot {
    subscriptionBillingAttempt(id: ID!): SubscriptionBillingAttempt
    subscriptionBillingAttempts(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      sortKey: SubscriptionBillingAttemptsSortKeys = CREATED_AT
      query: String
    ): SubscriptionBillingAttemptConnection!
  }

  enum SubscriptionBillingAttemptsSortKeys {
    CREATED_AT
    ID
  }

  type Mutation {
    customerPaymentMethodSendUpdateEmail(customerPaymentMethodId: ID!, email: EmailInput): CustomerPaymentMethodSendUpdateEmailPayload
    subscriptionBillingAttemptCreate(
      subscriptionBillingAttemptInput: SubscriptionBillingAttemptInput!
      subscriptionContractId: ID!
    ): SubscriptionBillingAttemptCreatePayload
    subscriptionBillingCycleBulkCharge(
      actor: SubscriptionActor
      billingAttemptExpectedDateRange: SubscriptionBillingCyclesDateRangeSelector!
      filters: SubscriptionBillingCycleBulkFilters
      inventoryPolicy: SubscriptionBillingAttemptInventoryPolicy = PRODUCT_VARIANT_INVENTORY_POLICY
      paymentProcessingPolicy: SubscriptionBillingAttemptPaymentProcessingPolicy = FAIL_UNLESS_VALID_PAYMENT_METHOD
    ): SubscriptionBillingCycleBulkChargePayload
    subscriptionBillingCycleCharge(
      actor: SubscriptionActor
      billingCycleSelector: SubscriptionBillingCycleSelector!
      inventoryPolicy: SubscriptionBillingAttemptInventoryPolicy = PRODUCT_VARIANT_INVENTORY_POLICY
      paymentProcessingPolicy: SubscriptionBillingAttemptPaymentProcessingPolicy
      subscriptionContractId: ID!
    ): SubscriptionBillingCycleChargePayload
    subscriptionBillingCycleSkip(billingCycleInput: SubscriptionBillingCycleInput!): SubscriptionBillingCycleSkipPayload
    subscriptionBillingCycleUnskip(billingCycleInput: SubscriptionBillingCycleInput!): SubscriptionBillingCycleUnskipPayload
    subscriptionContractActivate(actor: SubscriptionActor, subscriptionContractId: ID!): SubscriptionContractActivatePayload
    subscriptionContractCancel(actor: SubscriptionActor, subscriptionContractId: ID!): SubscriptionContractCancelPayload
    subscriptionContractPause(actor: SubscriptionActor, subscriptionContractId: ID!): SubscriptionContractPausePayload
  }

  type SubscriptionBillingAttempt implements Node {
    completedAt: DateTime
    createdAt: DateTime!
    errorCode: SubscriptionBillingAttemptErrorCode @deprecated(reason: "Use \`state\` instead: \`SubscriptionBillingAttemptFailedState.error\`.")
    errorMessage: String @deprecated(reason: "Use \`state\` instead: \`SubscriptionBillingAttemptFailedState.error\`.")
    id: ID!
    idempotencyKey: String!
    nextActionUrl: URL @deprecated(reason: "Use \`state\` instead: \`SubscriptionBillingAttemptActionRequiredState.action\`.")
    order: Order @deprecated(reason: "Use \`state\` instead: \`SubscriptionBillingAttemptSuccessState.order\`.")
    originTime: DateTime
    paymentGroupId: String
    paymentSessionId: String
    processingError: SubscriptionBillingAttemptProcessingError @deprecated(reason: "Use \`state\` instead: \`SubscriptionBillingAttemptFailedState.error\`.")
    ready: Boolean! @deprecated(reason: "Use \`state\` instead: \`SubscriptionBillingAttemptPendingState\`.")
    respectInventoryPolicy: Boolean!
    state: SubscriptionBillingAttemptState!
    subscriptionContract: SubscriptionContract!
  }

  type SubscriptionBillingAttemptConnection {
    edges: [SubscriptionBillingAttemptEdge!]!
    nodes: [SubscriptionBillingAttempt!]!
    pageInfo: PageInfo!
  }

  type SubscriptionBillingAttemptEdge {
    cursor: String!
    node: SubscriptionBillingAttempt!
  }

  union SubscriptionBillingAttemptState =
      SubscriptionBillingAttemptActionRequiredState
    | SubscriptionBillingAttemptFailedState
    | SubscriptionBillingAttemptPendingState
    | SubscriptionBillingAttemptSuccessState

  type SubscriptionBillingAttemptPendingState {
    processing: Boolean!
  }

  type SubscriptionBillingAttemptSuccessState {
    order: Order
  }

  type SubscriptionBillingAttemptFailedState {
    error: SubscriptionBillingAttemptError!
  }

  type SubscriptionBillingAttemptActionRequiredState {
    action: SubscriptionBillingAttemptAction!
  }

  union SubscriptionBillingAttemptAction = SubscriptionBillingAttemptPaymentChallenge

  type SubscriptionBillingAttemptPaymentChallenge {
    nextActionUrl: URL!
    status: SubscriptionBillingAttemptPaymentChallengeStatus!
  }

  enum SubscriptionBillingAttemptPaymentChallengeStatus {
    OFF_SESSION_REJECTED
    ON_SESSION_CHALLENGED
  }

  union SubscriptionBillingAttemptError =
      SubscriptionBillingAttemptGeneralError
    | SubscriptionBillingAttemptInventoryError
    | SubscriptionBillingAttemptPaymentError
    | SubscriptionBillingAttemptUnexpectedError

  type SubscriptionBillingAttemptGeneralError {
    code: SubscriptionBillingAttemptGeneralErrorCode!
  }

  type SubscriptionBillingAttemptInventoryError {
    code: SubscriptionBillingAttemptInventoryErrorCode!
  }

  type SubscriptionBillingAttemptPaymentError {
    code: SubscriptionBillingAttemptPaymentErrorCode!
  }

  type SubscriptionBillingAttemptUnexpectedError {
    message: String!
  }

  enum SubscriptionBillingAttemptGeneralErrorCode {
    ${enumBody(GENERAL_ERROR_CODES)}
  }

  enum SubscriptionBillingAttemptInventoryErrorCode {
    ${enumBody(INVENTORY_ERROR_CODES)}
  }

  enum SubscriptionBillingAttemptPaymentErrorCode {
    ${enumBody(PAYMENT_ERROR_CODES)}
  }

  interface SubscriptionBillingAttemptProcessingError {
    code: SubscriptionBillingAttemptErrorCode!
    message: String!
  }

  type SubscriptionBillingAttemptGenericError implements SubscriptionBillingAttemptProcessingError {
    code: SubscriptionBillingAttemptErrorCode!
    message: String!
  }

  enum SubscriptionBillingAttemptErrorCode {
    ${enumBody(ALL_BILLING_ATTEMPT_ERROR_CODES)}
  }

  input SubscriptionBillingAttemptInput {
    actor: SubscriptionActor
    billingCycleSelector: SubscriptionBillingCycleSelector
    idempotencyKey: String!
    inventoryPolicy: SubscriptionBillingAttemptInventoryPolicy = PRODUCT_VARIANT_INVENTORY_POLICY
    originTime: DateTime
    paymentProcessingPolicy: SubscriptionBillingAttemptPaymentProcessingPolicy
  }

  enum SubscriptionActor {
    CUSTOMER
    MERCHANT
    PARTNER
  }

  enum SubscriptionBillingAttemptInventoryPolicy {
    ALLOW_OVERSELLING
    PRODUCT_VARIANT_INVENTORY_POLICY
  }

  enum SubscriptionBillingAttemptPaymentProcessingPolicy {
    FAIL_UNLESS_VALID_PAYMENT_METHOD
    SKIP_PAYMENT_AND_CREATE_UNPAID_ORDER
  }

  type SubscriptionBillingAttemptCreatePayload {
    subscriptionBillingAttempt: SubscriptionBillingAttempt
    userErrors: [BillingAttemptUserError!]!
  }

  type SubscriptionBillingCycleChargePayload {
    subscriptionBillingAttempt: SubscriptionBillingAttempt
    userErrors: [BillingAttemptUserError!]!
  }

  type BillingAttemptUserError implements DisplayableError {
    code: BillingAttemptUserErrorCode
    field: [String!]
    message: String!
  }

  enum BillingAttemptUserErrorCode {
    ${enumBody(Object.keys(BILLING_ATTEMPT_USER_ERRORS))}
  }

  input SubscriptionBillingCycleBulkFilters {
    billingAttemptStatus: SubscriptionBillingCycleBillingAttemptStatus = ANY
    billingCycleStatus: [SubscriptionBillingCycleBillingCycleStatus!]
    contractStatus: [SubscriptionContractSubscriptionStatus!]
  }

  enum SubscriptionBillingCycleBillingAttemptStatus {
    ANY
    HAS_ATTEMPT
    NO_ATTEMPT
  }

  type SubscriptionBillingCycleBulkChargePayload {
    job: Job
    userErrors: [SubscriptionBillingCycleBulkUserError!]!
  }

  type SubscriptionBillingCycleBulkUserError implements DisplayableError {
    code: SubscriptionBillingCycleBulkUserErrorCode
    field: [String!]
    message: String!
  }

  enum SubscriptionBillingCycleBulkUserErrorCode {
    BLANK
    END_DATE_IN_THE_FUTURE
    INVALID
    INVALID_DATE_RANGE
    START_DATE_BEFORE_END_DATE
  }

  type SubscriptionBillingCycleSkipPayload {
    billingCycle: SubscriptionBillingCycle
    userErrors: [SubscriptionBillingCycleSkipUserError!]!
  }

  type SubscriptionBillingCycleSkipUserError implements DisplayableError {
    code: SubscriptionBillingCycleSkipUserErrorCode
    field: [String!]
    message: String!
  }

  enum SubscriptionBillingCycleSkipUserErrorCode {
    INVALID
  }

  type SubscriptionBillingCycleUnskipPayload {
    billingCycle: SubscriptionBillingCycle
    userErrors: [SubscriptionBillingCycleUnskipUserError!]!
  }

  type SubscriptionBillingCycleUnskipUserError implements DisplayableError {
    code: SubscriptionBillingCycleUnskipUserErrorCode
    field: [String!]
    message: String!
  }

  enum SubscriptionBillingCycleUnskipUserErrorCode {
    INVALID
  }

  type SubscriptionContractActivatePayload {
    contract: SubscriptionContract
    userErrors: [SubscriptionContractStatusUpdateUserError!]!
  }

  type SubscriptionContractCancelPayload {
    contract: SubscriptionContract
    userErrors: [SubscriptionContractStatusUpdateUserError!]!
  }

  type SubscriptionContractPausePayload {
    contract: SubscriptionContract
    userErrors: [SubscriptionContractStatusUpdateUserError!]!
  }

  type SubscriptionContractStatusUpdateUserError implements DisplayableError {
    code: SubscriptionContractStatusUpdateErrorCode
    field: [String!]
    message: String!
  }

  enum SubscriptionContractStatusUpdateErrorCode {
    CONTRACT_TERMINATED
    INVALID
  }

  type CustomerPaymentMethodSendUpdateEmailPayload {
    customer: Customer
    userErrors: [UserError!]!
  }

  input EmailInput {
    bcc: [String!]
    body: String
    customMessage: String
    from: String
    subject: String
    to: String
  }
`;
