import { afterEach, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../app/db/client.server";
import { postDeliveries, seedAwaitedAttempts, signedDelivery } from "../../bench/webhook-storm";
import { startBuiltApp, type RunningAppServer } from "../../tools/built-app";
import { connectPrisma, createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { testProviders } from "../support/providers";
import { TEST_API_KEY, TEST_API_SECRET, TEST_APP_URL, TEST_CRON_SECRET } from "../support/shopify-requests";

const SHOP = "kill-nine.myshopify.com";
const DELIVERIES = 1500;

// Result webhooks are recorded in groups (group commit) and each one answered only after its
// group's commit: killing the server mid-storm (kill -9, no chance to flush anything) must
// lose none that were answered 200, and Shopify's redelivery of the rest records each once.
describe.each(testProviders())("%s: result webhooks answered 200 survive kill -9", (provider) => {
  let database: TestDatabase | undefined;
  let prisma: PrismaClient | undefined;
  let app: RunningAppServer | undefined;

  afterEach(async () => {
    await app?.stop();
    await prisma?.$disconnect();
    await database?.drop();
  });

  const start = () =>
    startBuiltApp({
      NODE_ENV: "test",
      SHOPIFY_API_KEY: TEST_API_KEY,
      SHOPIFY_API_SECRET: TEST_API_SECRET,
      SHOPIFY_APP_URL: TEST_APP_URL,
      DATABASE_URL: database!.url,
      DIRECT_DATABASE_URL: "",
      CRON_SECRET: TEST_CRON_SECRET,
    });

  it("records every delivery answered 200 before the kill, and the redelivered rest once", async () => {
    database = await createMigratedDatabase(provider);
    prisma = connectPrisma(database);
    const keys = await seedAwaitedAttempts(prisma, SHOP, DELIVERIES, provider);
    const deliveries = keys.map((key, index) => signedDelivery(SHOP, TEST_API_SECRET, key, index));
    app = await start();
    const running = app;
    let answered = 0;
    let killed = false;
    const answers = await postDeliveries(running.url, deliveries, 32, (_index, status) => {
      if (status === 200) answered++;
      if (!killed && answered >= DELIVERIES / 3) {
        killed = true;
        running.process.kill("SIGKILL");
      }
    });
    expect(killed).toBe(true);
    const answeredKeys = keys.filter((_, index) => answers[index].status === 200);
    expect(answeredKeys.length).toBeGreaterThan(DELIVERIES / 4);
    expect(answeredKeys.length, "some deliveries were cut off by the kill").toBeLessThan(DELIVERIES);

    const succeeded = new Set(
      (await prisma.billingAttempt.findMany({ where: { shop: SHOP, status: "SUCCEEDED" }, select: { idempotencyKey: true } })).map((row) => row.idempotencyKey),
    );
    expect(answeredKeys.filter((key) => !succeeded.has(key))).toEqual([]);
    const processed = new Set((await prisma.processedWebhook.findMany({ where: { shop: SHOP }, select: { webhookId: true } })).map((row) => row.webhookId));
    const eventKeyOf = (index: number) => `event:${deliveries[index].headers["X-Shopify-Event-Id"]}`;
    expect(keys.map((_, index) => index).filter((index) => answers[index].status === 200 && !processed.has(eventKeyOf(index)))).toEqual([]);

    // Shopify redelivers what was not answered 200, and (to be sure) the answered ones again.
    app = await start();
    const again = await postDeliveries(app.url, deliveries, 32);
    expect(again.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(await prisma.billingAttempt.count({ where: { shop: SHOP, status: "SUCCEEDED" } })).toBe(DELIVERIES);
    expect(await prisma.processedWebhook.count({ where: { shop: SHOP } })).toBe(DELIVERIES);
  }, 120_000);
});
