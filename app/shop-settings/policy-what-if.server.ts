import { getInstallationHistory, historySince, readRecoveryHistory } from "../dunning/recovery-history.server";
import { whatIfInputs, type WhatIfInputs } from "../dunning/policy-what-if";
import type { InstallationHistory } from "../dunning/recovery-history";
import { MerchantFormat } from "../format/merchant-format";
import { logger } from "../observability/logger.server";

// What the Settings page's what-if needs: the shop's history of the last 90 days and the
// installation's aggregate, reduced to class totals and odds (a few kilobytes), with what the
// browser needs to word them as the server would. The page runs the pure simulation
// (app/dunning/policy-what-if.ts) on them at every edit of the form.

export interface PolicyWhatIfView {
  inputs: WhatIfInputs;
  /** "16 Oct 2025 to 14 Jan" */
  windowText: string;
  /** How the browser formats the figures: as the server did. */
  locale: string;
  timeZone: string;
  now: string;
}

export async function getPolicyWhatIf(shop: string, { now, locale, timeZone }: { now: Date; locale: string; timeZone: string }): Promise<PolicyWhatIfView> {
  const [history, installation] = await Promise.all([readRecoveryHistory(shop, now), installationOrNone(now)]);
  const format = new MerchantFormat({ locale, timeZone, now });
  return {
    inputs: whatIfInputs(history, installation),
    windowText: `${format.date(historySince(now))} to ${format.date(now)}`,
    locale: format.locale,
    timeZone,
    now: now.toISOString(),
  };
}

/** Other shops' counts only refine the estimate: the page does without them rather than fail. */
async function installationOrNone(now: Date): Promise<InstallationHistory | null> {
  try {
    return await getInstallationHistory(now);
  } catch (error) {
    logger().warn({ event: "installation_history_unread", err: error }, "the installation's recovery history could not be read; the what-if uses the shop's and the defaults");
    return null;
  }
}
