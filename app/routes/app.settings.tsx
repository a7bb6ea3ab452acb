import { useEffect, useState } from "react";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineStack,
  Layout,
  List,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import {
  DEFAULT_DUNNING_POLICY,
  EMAIL_INTERVAL_HOURS,
  MAX_ATTEMPTS_IN_30_DAYS,
  MAX_DELAY_DAYS,
  MAX_RETRIES,
  policyFields,
  type PolicyField,
} from "../dunning/policy";
import { getDunningPolicy, saveDunningPolicy } from "../dunning/policy.server";
import { readFormFields } from "../http/form-fields.server";
import { authenticate } from "../shopify.server";

/** The form's values as the merchant typed them (every field a string). */
type FormValues = Record<PolicyField, string>;
type FieldErrors = Partial<Record<PolicyField, string>>;

const FIELD_NAMES: PolicyField[] = [
  "retryCount",
  "retryDelaysDays",
  "finalAction",
  "inventoryRetryCount",
  "inventoryRetryDelaysDays",
  "inventoryFinalAction",
  "sendPaymentUpdateEmail",
  "paymentUpdateEmailIntervalHours",
];

const FIELD_LABELS: Record<PolicyField, string> = {
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

function toFormValues(fields: Record<string, unknown>): FormValues {
  return Object.fromEntries(FIELD_NAMES.map((name) => [name, fields[name] == null ? "" : String(fields[name])])) as FormValues;
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return {
    fields: policyFields(await getDunningPolicy(session.shop)),
    defaults: policyFields(DEFAULT_DUNNING_POLICY),
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const submitted = await readFormFields(request);
  const result = await saveDunningPolicy(session.shop, submitted);
  if (!result.ok) {
    // What the merchant typed comes back with the errors: nothing they entered is lost.
    return data({ ok: false as const, errors: result.errors, fields: toFormValues(submitted) }, { status: 400 });
  }
  return { ok: true as const };
};

export default function DunningSettings() {
  const { fields, defaults } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const saving = navigation.state === "submitting";
  // Without JavaScript the page is rendered afresh after a refused save: start from what was typed.
  const [values, setValues] = useState<FormValues>(() => (actionData && !actionData.ok ? actionData.fields : toFormValues(fields)));
  const [dirty, setDirty] = useState(false);

  // After a save the loader returns the policy as stored ("1,3" reads back as "1, 3").
  useEffect(() => {
    if (actionData?.ok) {
      setValues(toFormValues(fields));
      setDirty(false);
    }
  }, [actionData, fields]);

  const errors: FieldErrors = actionData && !actionData.ok ? actionData.errors : {};
  const errorList = actionData && !actionData.ok ? Object.entries(actionData.errors) : [];
  const set = (name: PolicyField) => (value: string) => {
    setValues((current) => ({ ...current, [name]: value }));
    setDirty(true);
  };
  const defaultsValues = toFormValues(defaults);
  const fieldProps = { values, errors, defaults: defaultsValues, set };
  const emailOn = values.sendPaymentUpdateEmail === "true";

  return (
    <Page>
      <TitleBar title="Dunning settings" />
      <Form method="post" onSubmit={() => setDirty(false)}>
        <Layout>
          <Layout.Section>
            <BlockStack gap="300">
              {actionData?.ok && !dirty ? (
                <Banner tone="success" title="Settings saved">
                  <p>New failures follow these settings; trackers already open keep their scheduled next step.</p>
                </Banner>
              ) : null}
              {errorList.length > 0 ? (
                <Banner tone="critical" title="The settings were not saved">
                  <BlockStack gap="100">
                    <p>Correct the highlighted fields and save again:</p>
                    <List type="bullet">
                      {errorList.map(([field, message]) => (
                        <List.Item key={field}>
                          {FIELD_LABELS[field as PolicyField] ?? field}: {message}
                        </List.Item>
                      ))}
                    </List>
                  </BlockStack>
                </Banner>
              ) : null}
            </BlockStack>
          </Layout.Section>
          <Layout.AnnotatedSection
            title="Failed payments"
            description="Soft declines (insufficient funds, processing errors) are retried on this schedule. Hard declines (expired or invalid card) wait for the customer to update their payment method for as long as the schedule lasts."
          >
            <Card>
              <FormLayout>
                <RetryScheduleFields
                  names={{ count: "retryCount", delays: "retryDelaysDays", action: "finalAction" }}
                  what="a failed attempt"
                  delaysExample="1, 3, 5, 7"
                  actionHelp="Applied when the last retry fails or the customer never updates their payment method. Skipping keeps the subscription going from the next cycle."
                  {...fieldProps}
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
                  value={values.paymentUpdateEmailIntervalHours}
                  onChange={set("paymentUpdateEmailIntervalHours")}
                  error={errors.paymentUpdateEmailIntervalHours}
                  autoComplete="off"
                  suffix="hours"
                  helpText={`At most one email per failed payment within this many hours (${EMAIL_INTERVAL_HOURS.min} to ${EMAIL_INTERVAL_HOURS.max}), however often it is retried. Default: ${defaultsValues.paymentUpdateEmailIntervalHours}.`}
                />
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection
            title="Out of stock"
            description="When a charge fails because a product is out of stock, the cycle is retried on this schedule and you are notified so you can restock."
          >
            <Card>
              <FormLayout>
                <RetryScheduleFields
                  names={{ count: "inventoryRetryCount", delays: "inventoryRetryDelaysDays", action: "inventoryFinalAction" }}
                  what="an out-of-stock failure"
                  delaysExample="1, 2"
                  actionHelp="Applied when the last inventory retry fails."
                  {...fieldProps}
                />
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.Section>
            <InlineStack gap="200" align="end">
              <Button
                onClick={() => {
                  setValues(defaultsValues);
                  setDirty(true);
                }}
                disabled={saving}
              >
                Use the defaults
              </Button>
              <Button variant="primary" submit loading={saving}>
                Save
              </Button>
            </InlineStack>
            <Text as="p" tone="subdued" variant="bodySm">
              Card networks penalise more than {MAX_ATTEMPTS_IN_30_DAYS} attempts on one card within 30 days; schedules
              that would exceed that are refused.
            </Text>
          </Layout.Section>
        </Layout>
      </Form>
    </Page>
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
}: {
  names: { count: PolicyField; delays: PolicyField; action: PolicyField };
  what: string;
  delaysExample: string;
  actionHelp: string;
  values: FormValues;
  errors: FieldErrors;
  defaults: FormValues;
  set: (name: PolicyField) => (value: string) => void;
}) {
  const retriesOff = values[names.count].trim() === "0";
  return (
    <>
      <FormLayout.Group>
        <TextField
          label={FIELD_LABELS[names.count]}
          name={names.count}
          type="number"
          value={values[names.count]}
          onChange={set(names.count)}
          error={errors[names.count]}
          autoComplete="off"
          helpText={`Retries after ${what}, 0 to ${MAX_RETRIES}. 0 applies the final action at the first failure. Default: ${defaults[names.count]}.`}
        />
        <TextField
          label={FIELD_LABELS[names.delays]}
          name={names.delays}
          value={values[names.delays]}
          onChange={set(names.delays)}
          error={errors[names.delays]}
          autoComplete="off"
          placeholder={retriesOff ? "No retries" : delaysExample}
          helpText={`Days between ${what} and the next retry (1 to ${MAX_DELAY_DAYS}), separated by commas; the last delay repeats. Default: ${defaults[names.delays]}.`}
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
