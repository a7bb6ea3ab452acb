/**
 * The built app as the demo runs it: on a port chosen up front (so SHOPIFY_APP_URL and the
 * printed admin URL name the port it listens on), installed in the demo shops the way
 * Shopify admin does it, with the demo database's earlier runs cleared away.
 */
import net from "node:net";
import { localDateAt, scheduledInstant } from "../app/time/due-time";
import type { PrismaClient } from "../app/db/client.server";
import { DEFAULT_DUNNING_POLICY, type FinalAction, parseDunningPolicy, policyFields } from "../app/dunning/policy";
import { signSessionToken } from "../simulator/session-token";
import { spawnBuiltApp } from "../tools/built-app";

export const DEMO_API_KEY = "demo-api-key";
export const DEMO_API_SECRET = "demo-api-secret-not-for-production";
export const DEMO_CRON_SECRET = "demo-cron-secret-not-for-production-0123456789";
const BROWSER_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

export interface DemoApp {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `npm start`, resolved once /healthz answers 200. The port is named up front (PORT, or one
 * the kernel has free now) because SHOPIFY_APP_URL must say it; if another process takes it
 * before the app binds, the app says so and another port is tried.
 */
export async function startDemoApp(requestedPort: number | undefined, env: Record<string, string>, timeoutMs = 60_000): Promise<DemoApp> {
  for (let tries = 1; ; tries++) {
    const port = requestedPort ?? (await portFreeNow());
    try {
      return await startDemoAppOn(port, env, timeoutMs);
    } catch (error) {
      if (!(error instanceof PortTakenError) || requestedPort !== undefined || tries >= 5) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startDemoAppOn(port: number, env: Record<string, string>, timeoutMs: number): Promise<DemoApp> {
  const url = `http://localhost:${port}`;
  const { child, output } = spawnBuiltApp({ ...env, SHOPIFY_APP_URL: url }, port);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
    if (child.exitCode !== null) {
      if (/is in use/.test(output())) throw new PortTakenError(output());
      throw new Error(`The app exited with code ${child.exitCode}:\n${output()}`);
    }
    const healthy = await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
    if (healthy) return { url, output, stop };
  }
  await stop();
  throw new Error(`The app did not become healthy within ${timeoutMs} ms:\n${output()}`);
}

function portFreeNow(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The admin page as Shopify admin embeds it, with a session token valid for `hours`. */
export function adminUrl(appUrl: string, shop: string, hours = 2): string {
  const url = new URL("/app", appUrl);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64"));
  url.searchParams.set(
    "id_token",
    signSessionToken({ shop, apiKey: DEMO_API_KEY, apiSecret: DEMO_API_SECRET, expiresInSeconds: hours * 3600 }),
  );
  return url.toString();
}

/** Opens the app from the shop's admin (token exchange, afterAuth); returns the schedule the page shows. */
export async function installFromAdmin(appUrl: string, shop: string): Promise<string> {
  // British English: the page writes the hour on a 24-hour clock ("09:00").
  const response = await fetch(adminUrl(appUrl, shop), { headers: { "User-Agent": BROWSER_USER_AGENT, "Accept-Language": "en-GB" } });
  const html = await response.text();
  const schedule = /Subscriptions are charged every day at ([\d:]+), [^(<]*\(the shop(?:&#x27;|')s time zone, ([\w/+-]+)\)/.exec(html);
  if (response.status !== 200 || !schedule) throw new Error(`installing ${shop} failed (HTTP ${response.status})`);
  return `${schedule[1]} ${schedule[2]}`;
}

/**
 * The simulator starts empty on every run and reuses its ids, so what an earlier run left
 * in the demo database (sessions, schedules, attempts under the same idempotency keys,
 * dunning trackers with their history, policies) would only get in the way.
 */
export async function clearEarlierDemoRuns(prisma: PrismaClient): Promise<number> {
  const counts = await prisma.$transaction([
    prisma.billingAttempt.deleteMany(),
    prisma.dunningEvent.deleteMany(),
    prisma.merchantNotification.deleteMany(),
    prisma.dunningTracker.deleteMany(),
    prisma.dunningPolicy.deleteMany(),
    prisma.processedWebhook.deleteMany(),
    prisma.chargeLedgerEntry.deleteMany(),
    prisma.chargeReconciliation.deleteMany(),
    prisma.flowTriggerEvent.deleteMany(),
    prisma.billingSchedule.deleteMany(),
    prisma.session.deleteMany(),
  ]);
  return counts.reduce((sum, { count }) => sum + count, 0);
}

/**
 * Installing set the shop's first run from the real clock; the simulated month starts at
 * `start`: the shop counts as billed for every local date whose billing hour came before it.
 */
export async function startScheduleAt(prisma: PrismaClient, shop: string, start: Date): Promise<void> {
  const schedule = await prisma.billingSchedule.findUniqueOrThrow({ where: { shop } });
  const today = localDateAt(start, schedule.timezone);
  const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const lastBilled = scheduledInstant(today, schedule.billingHour, schedule.timezone) <= start ? today : yesterday;
  await prisma.billingSchedule.update({ where: { shop }, data: { lastBilledLocalDate: lastBilled, nextRunAt: null } });
}

/**
 * The merchant saved a dunning policy: the default schedules, with `finalAction` once the
 * payment retries run out. Validated as the settings form validates it, written as it saves it.
 */
export async function saveDunningPolicy(prisma: PrismaClient, shop: string, finalAction: FinalAction): Promise<void> {
  const parsed = parseDunningPolicy({ ...policyFields(DEFAULT_DUNNING_POLICY), finalAction });
  if (!parsed.ok) throw new Error(`the demo's dunning policy for ${shop} is invalid: ${Object.values(parsed.errors).join(" ")}`);
  const row = policyFields(parsed.policy);
  await prisma.dunningPolicy.upsert({ where: { shop }, create: { shop, ...row }, update: row });
}
