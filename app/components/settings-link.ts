import { POLICY_FIELDS, type PolicyField } from "../dunning/policy";

// A suggestion on Insights is a link to Settings with the policy fields it changes on the
// URL: the Settings page starts its form from them (unsaved, its what-if comparing them with
// the saved policy). The embedded app's own parameters (shop, host, session token, locale)
// stay, as the lists' links keep them.

/** Every field of the policy form can be pre-filled. */
export const PREFILLABLE_FIELDS: readonly PolicyField[] = POLICY_FIELDS;

/** Marks a Settings URL as coming from a suggestion. */
export const FROM_SUGGESTION = { name: "from", value: "insights" } as const;

/** "/app/settings?embedded=1&shop=...&retryCount=3&from=insights" from the current page's query. */
export function settingsUrlWith(currentSearch: string, fields: Partial<Record<PolicyField, string>>): string {
  const params = new URLSearchParams(currentSearch);
  for (const name of [...PREFILLABLE_FIELDS, FROM_SUGGESTION.name]) params.delete(name);
  for (const [name, value] of Object.entries(fields)) if (PREFILLABLE_FIELDS.includes(name as PolicyField) && value !== undefined) params.set(name, value);
  params.set(FROM_SUGGESTION.name, FROM_SUGGESTION.value);
  return `/app/settings?${params.toString()}`;
}

/** The policy fields a Settings URL pre-fills (only fields of the form; their values are checked as the merchant's typing is). */
export function prefilledFields(search: URLSearchParams): Partial<Record<PolicyField, string>> {
  const fields: Partial<Record<PolicyField, string>> = {};
  for (const name of PREFILLABLE_FIELDS) {
    const value = search.get(name);
    // A form field's worth: whatever else is on the URL is not the form's.
    if (value !== null && value.length <= 200) fields[name] = value;
  }
  return fields;
}
