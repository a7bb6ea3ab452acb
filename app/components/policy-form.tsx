import { BlockStack, Card, Checkbox, FormLayout, Select, Text, TextField } from "@shopify/polaris";
import { EMAIL_INTERVAL_HOURS, MAX_ATTEMPTS_IN_30_DAYS, MAX_DELAY_DAYS, MAX_RETRIES, type DunningPolicy, type PolicyField } from "../dunning/policy";
import { describeDunningPolicy } from "../dunning/policy-preview";
import { SettingsSection } from "./settings-section";

// The dunning policy's fields on the Settings page, and its plain-language preview.

/** The form's values as the merchant typed them (every field a string). */
export type FormValues = Record<PolicyField, string> & { billingHour: string };
export type SettingsErrors = Partial<Record<PolicyField | "billingHour", string>>;

export const FIELD_LABELS: Record<PolicyField | "billingHour", string> = {
  billingHour: "Billing hour",
  retryCount: "Payment retries",
  retryDelaysDays: "Days between payment retries",
  finalAction: "When payment retries run out",
  inventoryRetryCount: "Inventory retries",
  inventoryRetryDelaysDays: "Days between inventory retries",
  inventoryFinalAction: "When inventory retries run out",
  sendPaymentUpdateEmail: "Email the customer a link to update their payment method",
  paymentUpdateEmailIntervalHours: "Hours between emails",
};

const FINAL_ACTION_OPTIONS = [
  { label: "Skip the cycle", value: "SKIP" },
  { label: "Pause the contract", value: "PAUSE" },
  { label: "Cancel the contract", value: "CANCEL" },
];

/** A field's value as the merchant reads it ("Pause the contract", "on"), for lines that name a change. */
export function fieldValueText(name: PolicyField, value: string): string {
  if (name === "finalAction" || name === "inventoryFinalAction") return FINAL_ACTION_OPTIONS.find((option) => option.value === value)?.label.toLowerCase() ?? value;
  if (name === "sendPaymentUpdateEmail") return value === "true" ? "on" : "off";
  return value.trim() === "" ? "none" : value;
}

interface FieldProps {
  values: FormValues;
  errors: SettingsErrors;
  defaults: Record<PolicyField, string>;
  set: (name: PolicyField) => (value: string) => void;
  onBlur: (name: PolicyField) => void;
}

export function PolicyFieldsForm(props: FieldProps) {
  const { values, errors, defaults, set } = props;
  const emailOn = values.sendPaymentUpdateEmail === "true";
  return (
    <>
      <SettingsSection
        title="Failed payments"
        description="Temporary declines (insufficient funds, processing errors) are retried on this schedule. Cards that need updating (expired, refused for good) are not retried: they wait for the customer's new card for as long as the schedule lasts."
      >
        <Card>
          <FormLayout>
            <RetryScheduleFields
              names={{ count: "retryCount", delays: "retryDelaysDays", action: "finalAction" }}
              what="a failed attempt"
              delaysExample="1, 3, 5, 7"
              actionHelp="Applied when the last retry fails, or when the customer never updates their card. Skipping keeps the subscription going from the next cycle."
              {...props}
            />
            <Checkbox
              label={FIELD_LABELS.sendPaymentUpdateEmail}
              checked={emailOn}
              onChange={(checked) => set("sendPaymentUpdateEmail")(checked ? "true" : "false")}
              error={errors.sendPaymentUpdateEmail}
              helpText="Shopify sends the customer its payment-method update email after a declined payment."
            />
            {/* An unchecked checkbox submits nothing: send an explicit "true" or "false". */}
            <input type="hidden" name="sendPaymentUpdateEmail" value={emailOn ? "true" : "false"} />
            <TextField
              label={FIELD_LABELS.paymentUpdateEmailIntervalHours}
              name="paymentUpdateEmailIntervalHours"
              type="number"
              inputMode="numeric"
              value={values.paymentUpdateEmailIntervalHours}
              onChange={set("paymentUpdateEmailIntervalHours")}
              onBlur={() => props.onBlur("paymentUpdateEmailIntervalHours")}
              error={errors.paymentUpdateEmailIntervalHours}
              autoComplete="off"
              suffix="hours"
              helpText={`At most one email per failed payment within this many hours (${EMAIL_INTERVAL_HOURS.min} to ${EMAIL_INTERVAL_HOURS.max}), however often it is retried. Default: ${defaults.paymentUpdateEmailIntervalHours}.`}
            />
          </FormLayout>
        </Card>
      </SettingsSection>
      <SettingsSection
        title="Out of stock"
        description="When a charge fails because a product is out of stock, the cycle is retried on this schedule and you are told, so you can restock. The customer is not emailed."
      >
        <Card>
          <FormLayout>
            <RetryScheduleFields
              names={{ count: "inventoryRetryCount", delays: "inventoryRetryDelaysDays", action: "inventoryFinalAction" }}
              what="an out-of-stock failure"
              delaysExample="1, 2"
              actionHelp="Applied when the last inventory retry fails."
              {...props}
            />
          </FormLayout>
        </Card>
      </SettingsSection>
    </>
  );
}

/** A retry schedule's three fields (how many retries, the days between them, the final action). */
function RetryScheduleFields({
  names,
  what,
  delaysExample,
  actionHelp,
  values,
  errors,
  defaults,
  set,
  onBlur,
}: FieldProps & {
  names: { count: PolicyField; delays: PolicyField; action: PolicyField };
  what: string;
  delaysExample: string;
  actionHelp: string;
}) {
  const retriesOff = values[names.count].trim() === "0";
  return (
    <>
      <FormLayout.Group>
        <TextField
          label={FIELD_LABELS[names.count]}
          name={names.count}
          type="number"
          inputMode="numeric"
          value={values[names.count]}
          onChange={set(names.count)}
          onBlur={() => onBlur(names.count)}
          error={errors[names.count]}
          autoComplete="off"
          helpText={`Retries after ${what}, 0 to ${MAX_RETRIES}. 0 applies the final action at the first failure. Default: ${defaults[names.count]}.`}
        />
        <TextField
          label={FIELD_LABELS[names.delays]}
          name={names.delays}
          value={values[names.delays]}
          onChange={set(names.delays)}
          onBlur={() => onBlur(names.delays)}
          error={errors[names.delays]}
          autoComplete="off"
          placeholder={retriesOff ? "No retries" : delaysExample}
          helpText={`Days from a failure to the next retry (1 to ${MAX_DELAY_DAYS}), separated by commas; a shorter list repeats its last delay, and delays beyond the number of retries are ignored and removed when you save. Default: ${defaults[names.delays]}.`}
        />
      </FormLayout.Group>
      <Select
        label={FIELD_LABELS[names.action]}
        name={names.action}
        options={FINAL_ACTION_OPTIONS}
        value={values[names.action]}
        onChange={set(names.action)}
        error={errors[names.action]}
        helpText={actionHelp}
      />
    </>
  );
}

/** The policy in plain words, as the form stands (null: the form has errors). */
export function PolicyPreview({ policy }: { policy: DunningPolicy | null }) {
  return (
    <Card>
      <div data-testid="policy-preview">
        <BlockStack gap="300">
          {policy ? (
            describeDunningPolicy(policy).map((line) => (
              <BlockStack key={line.topic} gap="050">
                <Text as="h3" variant="headingSm">
                  {line.topic}
                </Text>
                <Text as="p">{line.text}</Text>
              </BlockStack>
            ))
          ) : (
            <Text as="p" tone="subdued">
              Correct the highlighted fields to see what happens to a failed payment.
            </Text>
          )}
          <Text as="p" variant="bodySm" tone="subdued">
            Card networks penalise more than {MAX_ATTEMPTS_IN_30_DAYS} attempts on one card within 30 days; schedules that would
            exceed that are refused.
          </Text>
        </BlockStack>
      </div>
    </Card>
  );
}
