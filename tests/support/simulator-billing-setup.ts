import type { StoreSimulatorOptions } from "../../simulator/store-simulator";
import { API_SECRET, connectedSimulator, SIMULATED_START, startWebhookReceiver, type WebhookReceiverBehaviour } from "./simulator-connection";

// Shared by the billing tests: a simulator whose billing webhooks reach a receiver, and
// the attempt operations an app sends.

export const START = SIMULATED_START;
export const BILLING_TOPICS = [
  "subscription_billing_attempts/success",
  "subscription_billing_attempts/failure",
  "subscription_billing_attempts/challenged",
];

export const ATTEMPT_FIELDS = /* GraphQL */ `
  id
  idempotencyKey
  createdAt
  completedAt
  ready
  state {
    __typename
    ... on SubscriptionBillingAttemptPendingState { processing }
    ... on SubscriptionBillingAttemptSuccessState { order { id name totalPriceSet { shopMoney { amount currencyCode } } } }
    ... on SubscriptionBillingAttemptFailedState {
      error {
        __typename
        ... on SubscriptionBillingAttemptPaymentError { paymentCode: code }
        ... on SubscriptionBillingAttemptGeneralError { generalCode: code }
        ... on SubscriptionBillingAttemptUnexpectedError { message }
      }
    }
    ... on SubscriptionBillingAttemptActionRequiredState {
      action { ... on SubscriptionBillingAttemptPaymentChallenge { nextActionUrl status } }
    }
  }
`;

export const CREATE_ATTEMPT = /* GraphQL */ `
  mutation CreateAttempt($contractId: ID!, $key: String!, $index: Int) {
    subscriptionBillingAttemptCreate(
      subscriptionContractId: $contractId
      subscriptionBillingAttemptInput: { idempotencyKey: $key, billingCycleSelector: { index: $index } }
    ) {
      subscriptionBillingAttempt { ${ATTEMPT_FIELDS} }
      userErrors { field message code }
    }
  }
`;

export const ATTEMPT_BY_ID = `query AttemptById($id: ID!) { subscriptionBillingAttempt(id: $id) { ${ATTEMPT_FIELDS} } }`;

export interface AttemptNode {
  id: string;
  idempotencyKey: string;
  createdAt: string;
  completedAt: string | null;
  ready: boolean;
  state: Record<string, unknown> & { __typename: string };
}

export interface CreateAttemptData {
  subscriptionBillingAttemptCreate: {
    subscriptionBillingAttempt: AttemptNode | null;
    userErrors: Array<{ field: string[] | null; message: string; code: string }>;
  };
}

/**
 * A connected simulator starting at START, delivering billing webhooks to a receiver that
 * checks their HMAC, and the two operations most billing tests run.
 */
export async function billingSetup(options: { simulator?: Partial<StoreSimulatorOptions>; receiver?: WebhookReceiverBehaviour } = {}) {
  const receiver = await startWebhookReceiver(API_SECRET, options.receiver);
  const connected = await connectedSimulator({
    startTime: START,
    appUrl: receiver.url,
    webhookSubscriptions: [{ topics: BILLING_TOPICS, uri: "/webhooks/subscription_billing_attempts" }],
    ...options.simulator,
  });
  const createAttempt = async (contractId: string, key: string, index: number | null = 1) =>
    (await connected.run<CreateAttemptData>(CREATE_ATTEMPT, { contractId, key, index })).data!.subscriptionBillingAttemptCreate;
  const attemptById = async (id: string) =>
    (await connected.run<{ subscriptionBillingAttempt: AttemptNode | null }>(ATTEMPT_BY_ID, { id })).data!.subscriptionBillingAttempt;
  return { ...connected, receiver, createAttempt, attemptById };
}

