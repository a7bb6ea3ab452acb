import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DATABASE_PROVIDERS } from "../app/config/database-url";
import { providerSchemaPath, readModels, renderProviderSchema } from "./prisma-schemas";

const models = readModels();

describe("per-provider Prisma schemas", () => {
  it.each(DATABASE_PROVIDERS)("prisma/%s/schema.prisma is generated from models.prisma", (provider) => {
    expect(readFileSync(providerSchemaPath(provider), "utf8")).toBe(renderProviderSchema(provider, models));
  });

  it("drops native types for SQLite only", () => {
    expect(renderProviderSchema("sqlite", models)).not.toMatch(/^\s*\w+\s+String.*@db\./m);
    expect(renderProviderSchema("mysql", models)).toMatch(/accessToken\s+String\s+@db\.Text/);
  });

  it("writes each provider's client to its own folder", () => {
    for (const provider of DATABASE_PROVIDERS) {
      expect(renderProviderSchema(provider, models)).toContain(`provider = "${provider}"`);
      expect(renderProviderSchema(provider, models)).toContain(`.prisma-providers/${provider}`);
    }
  });
});
