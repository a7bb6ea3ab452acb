import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BillingContext } from "./billing-views";

// Shopify Flow triggers: the app's trigger extensions (extensions/<name>/shopify.extension.toml,
// `type = "flow_trigger"`) say which handles it may send and which fields each payload has;
// `flowTriggerReceive` checks a request against them, as Flow does, and the simulator keeps
// what it accepted so tests can read what was sent.

/** A trigger extension as Shopify CLI deploys it: its handle and its payload's fields. */
export interface FlowTriggerDefinition {
  handle: string;
  fields: Array<{ type: string; key?: string }>;
}

export interface FlowTriggerRecord {
  handle: string;
  payload: Record<string, unknown>;
  /** Simulated clock. */
  receivedAt: Date;
}

/** Flow's limit on one trigger's payload (its JSON, in bytes). */
export const FLOW_PAYLOAD_MAX_BYTES = 50_000;

export const FLOW_TRIGGER_SDL = /* GraphQL */ `
  scalar JSON

  extend type Mutation {
    flowTriggerReceive(
      body: String @deprecated(reason: "Use \`handle\` and \`payload\` instead.")
      handle: String
      payload: JSON
    ): FlowTriggerReceivePayload
  }

  type FlowTriggerReceivePayload {
    userErrors: [UserError!]!
  }
`;

const EXTENSIONS_DIRECTORY = fileURLToPath(new URL("../extensions", import.meta.url));

/** The app's Flow trigger extensions, read from extensions/; the simulator's default. */
export function loadAppFlowTriggers(directory: string = EXTENSIONS_DIRECTORY): FlowTriggerDefinition[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(directory, entry.name, "shopify.extension.toml")))
    .flatMap((entry) => parseFlowTriggerExtension(readFileSync(path.join(directory, entry.name, "shopify.extension.toml"), "utf8")));
}

/**
 * The flow_trigger extensions of one shopify.extension.toml. A line parser for the layout
 * Shopify CLI generates (`[[extensions]]`, `[[settings.fields]]`, one `key = "value"` a line).
 */
export function parseFlowTriggerExtension(toml: string): FlowTriggerDefinition[] {
  const extensions: Array<{ type?: string; handle?: string }> = [];
  const fields: FlowTriggerDefinition["fields"] = [];
  let table: "extension" | "field" | "other" = "other";
  for (const rawLine of toml.split(/\r?\n/)) {
    const line = rawLine.replace(/^\s*#.*$/, "").trim();
    if (!line) continue;
    if (line.startsWith("[")) {
      table = line === "[[extensions]]" ? "extension" : line === "[[settings.fields]]" ? "field" : "other";
      if (table === "extension") extensions.push({});
      if (table === "field") fields.push({ type: "" });
      continue;
    }
    const match = /^([A-Za-z_]+)\s*=\s*"([^"]*)"/.exec(line);
    if (!match) continue;
    const [, name, value] = match;
    if (table === "extension" && (name === "type" || name === "handle")) extensions.at(-1)![name] = value;
    if (table === "field" && name === "type") fields.at(-1)!.type = value;
    if (table === "field" && name === "key") fields.at(-1)!.key = value;
  }
  return extensions
    .filter((extension) => extension.type === "flow_trigger" && extension.handle)
    .map((extension) => ({ handle: extension.handle!, fields }));
}

interface UserError {
  field: string[] | null;
  message: string;
}

/** A reference field (`customer_reference`) is sent as `<object>_id` with the object's numeric id. */
function payloadKeyOf(field: FlowTriggerDefinition["fields"][number]): string | undefined {
  return field.type.endsWith("_reference") ? `${field.type.replace(/_reference$/, "")}_id` : field.key;
}

function valueProblem(type: string, value: unknown): string | undefined {
  if (type.endsWith("_reference")) {
    return (typeof value === "number" && Number.isSafeInteger(value) && value > 0) || (typeof value === "string" && /^\d+$/.test(value))
      ? undefined
      : "must be the object's numeric id";
  }
  switch (type) {
    case "single_line_text_field":
      return typeof value === "string" && !/[\r\n]/.test(value) ? undefined : "must be a string on one line";
    case "number_decimal":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "must be a number";
    case "boolean":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "email":
      return typeof value === "string" && /^[^@\s]+@[^@\s]+$/.test(value) ? undefined : "must be an email address";
    case "url":
      return typeof value === "string" && /^https?:\/\/\S+$/.test(value) ? undefined : "must be an http(s) URL";
    default:
      return `has a type (${type}) Flow triggers do not take`;
  }
}

/**
 * What Flow answers a `flowTriggerReceive`: no user errors when `handle` is one of the app's
 * triggers and `payload` an object under the size limit whose every key is a field of that
 * trigger with a value of the field's type (a field may be left out; a workflow using it
 * then sees no value).
 */
export function checkFlowTrigger(
  declared: readonly FlowTriggerDefinition[],
  args: { handle?: string | null; payload?: unknown; body?: string | null },
): UserError[] {
  if (args.body !== undefined && args.body !== null) {
    return [{ field: ["body"], message: "The store simulator takes `handle` and `payload` (`body` is deprecated)." }];
  }
  const trigger = declared.find((definition) => definition.handle === args.handle);
  if (!trigger) return [{ field: ["handle"], message: `Invalid handle: no Flow trigger "${args.handle ?? ""}" is deployed for this app.` }];
  const payload = args.payload;
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return [{ field: ["payload"], message: "Payload must be a JSON object." }];
  const size = Buffer.byteLength(JSON.stringify(payload));
  if (size > FLOW_PAYLOAD_MAX_BYTES) return [{ field: ["payload"], message: `Payload is ${size} bytes; the maximum is ${FLOW_PAYLOAD_MAX_BYTES}.` }];
  const fields = new Map(trigger.fields.flatMap((field) => {
    const key = payloadKeyOf(field);
    return key ? [[key, field.type] as const] : [];
  }));
  const errors: UserError[] = [];
  for (const [key, value] of Object.entries(payload)) {
    const type = fields.get(key);
    if (!type) {
      errors.push({ field: ["payload", key], message: `"${key}" is not a field of the trigger "${trigger.handle}".` });
      continue;
    }
    const problem = valueProblem(type, value);
    if (problem) errors.push({ field: ["payload", key], message: `"${key}" ${problem}.` });
  }
  return errors;
}

/** The mutation, as graphql-js calls it with (args, context). */
export const flowMutationRoot = {
  flowTriggerReceive(args: { handle?: string | null; payload?: unknown; body?: string | null }, ctx: BillingContext) {
    const userErrors = checkFlowTrigger(ctx.flowTriggers, args);
    if (userErrors.length === 0) {
      ctx.billing.flowTriggers.push({ handle: args.handle!, payload: structuredClone(args.payload as Record<string, unknown>), receivedAt: ctx.store.clock.now() });
    }
    return { userErrors };
  },
};
