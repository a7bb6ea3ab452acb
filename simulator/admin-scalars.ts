import { GraphQLError, type GraphQLSchema, isScalarType, Kind, type ValueNode } from "graphql";

// Shopify's custom scalars, as they travel over JSON: DateTime is ISO 8601 in UTC without
// fractions ("2026-10-01T12:00:00Z"), Decimal a string ("29.0"), UnsignedInt64 a string.
// Resolvers hand over Dates and decimal strings; inputs arrive here as Dates.

export function formatDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** "29.00" -> "29.0", "29.50" -> "29.5", "7" -> "7.0": how Shopify prints Decimal amounts. */
export function formatDecimal(value: string | number): string {
  const [whole, fraction = ""] = String(value).split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return `${whole}.${trimmed === "" ? "0" : trimmed}`;
}

function parseDateTime(value: unknown): Date {
  const date = typeof value === "string" ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new GraphQLError(`Invalid DateTime: ${JSON.stringify(value)}`);
  return date;
}

function parseDecimal(value: unknown): string {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^-?\d+(\.\d+)?$/.test(text)) throw new GraphQLError(`Invalid Decimal: ${JSON.stringify(value)}`);
  return text;
}

function literalValue(node: ValueNode): unknown {
  return node.kind === Kind.STRING || node.kind === Kind.INT || node.kind === Kind.FLOAT ? node.value : undefined;
}

export function installAdminScalars(schema: GraphQLSchema): void {
  const dateTime = schema.getType("DateTime");
  if (isScalarType(dateTime)) {
    dateTime.serialize = (value) => formatDateTime(value instanceof Date ? value : parseDateTime(value));
    dateTime.parseValue = parseDateTime;
    dateTime.parseLiteral = (node) => parseDateTime(literalValue(node));
  }
  const decimal = schema.getType("Decimal");
  if (isScalarType(decimal)) {
    decimal.serialize = (value) => formatDecimal(parseDecimal(value));
    decimal.parseValue = parseDecimal;
    decimal.parseLiteral = (node) => parseDecimal(literalValue(node));
  }
}
