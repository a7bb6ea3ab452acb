import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineStack, List } from "@shopify/polaris";
import { SaveBar } from "@shopify/app-bridge-react";
import { AdminPage } from "../components/admin-page";
import { showToast, useAppBridgeReady } from "../components/app-bridge";
import { BillingScheduleFields, BillingStatusCard } from "../components/billing-settings";
import { FIELD_LABELS, fieldValueText, PolicyFieldsForm, PolicyPreview, type FormValues, type SettingsErrors } from "../components/policy-form";
import { PolicyWhatIf } from "../components/policy-what-if";
import { FROM_SUGGESTION, prefilledFields } from "../components/settings-link";
import { SettingsSection } from "../components/settings-section";
import { parseDunningPolicy, POLICY_FIELDS, type PolicyField } from "../dunning/policy";
import { readFormFields } from "../http/form-fields.server";
import { merchantLocale } from "../http/merchant-locale";
import { parseBillingHour } from "../schedules/billing-hour";
import { pauseBilling, resumeBilling } from "../schedules/schedule.server";
import { getShopSettings, saveShopSettings } from "../shop-settings/shop-settings.server";
import { authenticate } from "../shopify.server";

function toFormValues(fields: Record<string, unknown>): Record<PolicyField, string> {
  return Object.fromEntries(POLICY_FIELDS.map((name) => [name, fields[name] == null ? "" : String(fields[name])])) as Record<PolicyField, string>;
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  return getShopSettings(session.shop, admin.graphql, { now: new Date(), locale: merchantLocale(request) });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const submitted = await readFormFields(request);
  if (submitted.intent === "pause") return { ok: true as const, intent: "pause" as const, changed: await pauseBilling(session.shop) };
  if (submitted.intent === "resume") return { ok: true as const, intent: "resume" as const, changed: await resumeBilling(session.shop, new Date()) };
  const result = await saveShopSettings(session.shop, submitted, new Date());
  if (!result.ok) {
    // What the merchant typed comes back with every error: nothing they entered is lost.
    return data(
      { ok: false as const, errors: result.errors, fields: toFormValues(submitted), billingHour: submitted.billingHour ?? null },
      { status: result.status },
    );
  }
  return { ok: true as const };
};

/** Every problem of the form, by the server's own pure checks (they run here in the browser too). */
function validate(values: FormValues): SettingsErrors {
  const policy = parseDunningPolicy(values);
  const hour = parseBillingHour(values.billingHour);
  return { ...(policy.ok ? {} : policy.errors), ...(hour.ok ? {} : { billingHour: hour.error }) };
}

export default function Settings() {
  const { fields, defaults, billing, whatIf } = useLoaderData<typeof loader>();
  const [searchParams] = useSearchParams();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const appBridge = useAppBridgeReady();
  const formRef = useRef<HTMLFormElement>(null);
  const confirmationRef = useRef<HTMLDivElement>(null);
  const whatIfRef = useRef<HTMLDivElement>(null);
  const saving = navigation.state !== "idle" && navigation.formData?.get("intent") === "save";

  const stored: FormValues = useMemo(() => ({ ...toFormValues(fields), billingHour: String(billing.billingHour) }), [fields, billing.billingHour]);
  const refused = actionData && !actionData.ok ? actionData : undefined;
  // The merchant's edits over the stored settings; null while the form shows them as stored (and
  // so follows the loader's data after a save: "1,3" reads back as "1, 3", extra delays gone).
  // Without JavaScript the page is rendered afresh after a refused save: start from what was typed.
  // A suggestion on Insights links here with the fields it changes: the form starts from them, unsaved.
  const [suggested] = useState(() => (refused ? {} : prefilledFields(searchParams)));
  const [edits, setEdits] = useState<FormValues | null>(() =>
    refused
      ? { ...stored, ...refused.fields, billingHour: refused.billingHour ?? stored.billingHour }
      : Object.keys(suggested).length > 0
        ? { ...stored, ...suggested }
        : null,
  );
  const values = edits ?? stored;
  const [fromSuggestion, setFromSuggestion] = useState(() => Object.keys(suggested).length > 0 && searchParams.get(FROM_SUGGESTION.name) === FROM_SUGGESTION.value);
  const [touched, setTouched] = useState<Set<string>>(() => new Set(Object.keys(suggested)));
  const [showAll, setShowAll] = useState(Boolean(refused));
  const [serverErrors, setServerErrors] = useState<SettingsErrors>(refused?.errors ?? {});
  const [saved, setSaved] = useState<"save" | "pause" | "resume" | null>(null);

  const dirty = Object.keys(stored).some((name) => stored[name as keyof FormValues] !== values[name as keyof FormValues]);
  const clientErrors = validate(values);
  const shown: SettingsErrors = { ...serverErrors };
  for (const [name, message] of Object.entries(clientErrors)) if (showAll || touched.has(name)) shown[name as keyof SettingsErrors] = message;
  const errorList = showAll ? Object.entries({ ...serverErrors, ...clientErrors }) : [];

  // A save's answer, once the page's data is reloaded (the action's answer comes first): the
  // form shows the settings as stored, or the server's errors; a pause or resume is confirmed.
  const answered = useRef<typeof actionData>(undefined);
  useEffect(() => {
    if (!actionData || navigation.state !== "idle" || answered.current === actionData) return;
    answered.current = actionData;
    if (actionData.ok) {
      const intent = ("intent" in actionData && actionData.intent) || "save";
      setSaved(intent);
      if (intent === "save") {
        setEdits(null);
        setFromSuggestion(false);
        setServerErrors({});
        setShowAll(false);
        setTouched(new Set());
      }
      const message = intent === "pause" ? "Billing paused" : intent === "resume" ? "Billing resumed" : "Settings saved";
      // In admin a toast confirms it; without App Bridge the banner does, scrolled into view (a phone's screen is short).
      if (!showToast(message)) confirmationRef.current?.scrollIntoView({ block: "start", behavior: "smooth" });
      confirmationRef.current?.focus({ preventScroll: true });
    } else {
      setServerErrors(actionData.errors);
      setShowAll(true);
      confirmationRef.current?.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  }, [actionData, navigation.state]);

  const set = (name: keyof FormValues) => (value: string) => {
    setEdits((current) => ({ ...(current ?? stored), [name]: value }));
    setTouched((current) => new Set(current).add(name));
    setServerErrors((current) => {
      const rest = { ...current };
      delete rest[name];
      return rest;
    });
    setSaved(null);
  };
  const discard = () => {
    setEdits(null);
    setFromSuggestion(false);
    setTouched(new Set());
    setServerErrors({});
    setShowAll(false);
  };
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    if (Object.keys(clientErrors).length > 0) {
      event.preventDefault();
      setShowAll(true);
      setSaved(null);
      requestAnimationFrame(() => confirmationRef.current?.scrollIntoView({ block: "start", behavior: "smooth" }));
    }
  };
  const saveFromBar = () => {
    if (Object.keys(clientErrors).length > 0) {
      setShowAll(true);
      confirmationRef.current?.scrollIntoView({ block: "start", behavior: "smooth" });
      return;
    }
    if (formRef.current) submit(formRef.current, { method: "post" });
  };

  const parsedPolicy = parseDunningPolicy(values);
  const savedPolicy = parseDunningPolicy(stored);
  const policyChanged = POLICY_FIELDS.some((name) => stored[name] !== values[name]);
  const hourOption = billing.hourOptions.find((option) => option.value === values.billingHour);

  return (
    <AdminPage title="Settings">
      {appBridge ? (
        <SaveBar id="settings-save-bar" open={dirty}>
          <button {...{ variant: "primary" }} onClick={saveFromBar} disabled={saving}>
            Save
          </button>
          <button onClick={discard} disabled={saving}>
            Discard
          </button>
        </SaveBar>
      ) : null}
      <BlockStack gap="500">
        <div ref={confirmationRef} tabIndex={-1} style={{ outline: "none", scrollMarginTop: 16 }} data-testid="settings-confirmation">
          <BlockStack gap="300">
            {saved === "save" && !dirty ? (
              <Banner tone="success" title="Settings saved" onDismiss={() => setSaved(null)}>
                <p>
                  Billing runs at {billing.hourOptions[billing.billingHour]?.label}; next run: {billing.nextRunText}. New failed payments
                  follow the policy below; those already being followed up keep their scheduled next step.
                </p>
              </Banner>
            ) : null}
            {saved === "pause" || saved === "resume" ? (
              <Banner
                tone={saved === "pause" ? "warning" : "success"}
                title={saved === "pause" ? "Billing paused" : "Billing resumed"}
                onDismiss={() => setSaved(null)}
              >
                <p>
                  {saved === "pause"
                    ? "Nothing is charged, retried or emailed until you resume billing."
                    : `Next billing run: ${billing.runIsDue ? "at the scheduler's next call" : billing.nextRunText}.`}
                </p>
              </Banner>
            ) : null}
            {fromSuggestion && dirty ? (
              <div data-testid="settings-suggestion">
                <Banner
                  tone="info"
                  title="Suggested on Insights"
                  onDismiss={() => setFromSuggestion(false)}
                  action={{ content: "See the what-if", onAction: () => whatIfRef.current?.scrollIntoView({ block: "start", behavior: "smooth" }) }}
                >
                  <BlockStack gap="100">
                    <p>
                      {Object.keys(suggested)
                        .map((key) => key as PolicyField)
                        .map((name) => `${FIELD_LABELS[name]}: ${fieldValueText(name, stored[name])} → ${fieldValueText(name, values[name])}`)
                        .join("; ")}
                      .
                    </p>
                    <p>The what-if below compares it with your saved settings on the last 90 days. Nothing changes until you save; discard to keep your settings.</p>
                  </BlockStack>
                </Banner>
              </div>
            ) : null}
            {errorList.length > 0 ? (
              <Banner tone="critical" title="The settings were not saved">
                <BlockStack gap="100">
                  <p>Correct these and save again; what you typed is kept:</p>
                  <List type="bullet">
                    {errorList.map(([field, message]) => (
                      <List.Item key={field}>
                        {FIELD_LABELS[field as keyof typeof FIELD_LABELS] ?? field}: {message}
                      </List.Item>
                    ))}
                  </List>
                </BlockStack>
              </Banner>
            ) : null}
          </BlockStack>
        </div>
        <SettingsSection title="Billing" description="Whether subscriptions are charged. Pausing stops billing and dunning for the shop until you resume it.">
          <BillingStatusCard billing={billing} busy={navigation.state !== "idle"} />
        </SettingsSection>
        <Form method="post" ref={formRef} onSubmit={onSubmit} noValidate>
          <input type="hidden" name="intent" value="save" />
          <BlockStack gap="500">
            <SettingsSection
              title="Billing hour"
              description={`The hour of the day subscriptions are charged, in the shop's time zone (${billing.timeZoneName}), which is set in Shopify admin's general settings.`}
            >
              <Card>
                <BillingScheduleFields
                  billing={billing}
                  value={values.billingHour}
                  error={shown.billingHour}
                  nextRun={hourOption ? { text: hourOption.nextRunText, due: hourOption.runIsDue } : null}
                  changed={values.billingHour !== stored.billingHour}
                  onChange={set("billingHour")}
                />
              </Card>
            </SettingsSection>
            <PolicyFieldsForm
              values={values}
              errors={shown}
              defaults={toFormValues(defaults)}
              set={set}
              onBlur={(name) => setTouched((current) => new Set(current).add(name))}
            />
            <SettingsSection title="Preview" description="What happens to a failed payment with these settings, before you save them.">
              <PolicyPreview policy={parsedPolicy.ok ? parsedPolicy.policy : null} />
            </SettingsSection>
            {savedPolicy.ok ? (
              <div ref={whatIfRef} style={{ scrollMarginTop: 16 }}>
                <SettingsSection
                  title="What-if: the last 90 days"
                  description="What these settings would have done with the shop's recent failed payments, next to what your saved settings did, before you save them."
                >
                  <PolicyWhatIf view={whatIf} saved={savedPolicy.policy} proposed={parsedPolicy.ok ? parsedPolicy.policy : null} changed={policyChanged} />
                </SettingsSection>
              </div>
            ) : null}
            <Box paddingInline={{ xs: "400", sm: "0" }}>
              <InlineStack align="end" gap="300" blockAlign="center">
                {dirty ? (
                  <Button variant="plain" onClick={discard}>
                    Discard changes
                  </Button>
                ) : null}
                <Button variant="primary" submit loading={saving}>
                  Save
                </Button>
              </InlineStack>
            </Box>
          </BlockStack>
        </Form>
      </BlockStack>
      <Box paddingBlockEnd="800" />
    </AdminPage>
  );
}
