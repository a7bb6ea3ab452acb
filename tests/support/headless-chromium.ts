import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium (apt-get install -y chromium), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Fails the suite at once, saying what to install, when there is no Chromium. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
}

/**
 * Headless Chromium for the admin's browser tests, and the user agent to present:
 * shopify-app-remix answers bots (HeadlessChrome included) with 410, so the pages are asked
 * for as Chrome.
 */
export async function launchHeadlessChromium(): Promise<{ browser: Browser; userAgent: string }> {
  requireChromium();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const version = await (await browser.newBrowserCDPSession()).send("Browser.getVersion");
  return { browser, userAgent: version.userAgent.replace("HeadlessChrome", "Chrome") };
}
