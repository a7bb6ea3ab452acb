import type { CSSProperties, ReactNode } from "react";
import { BlockStack, Card, Text } from "@shopify/polaris";
import { MAX_ATTEMPTS_IN_30_DAYS, type DunningPolicy } from "../dunning/policy";
import { simulatePolicy, type Estimate, type EstimateBasis, type WhatIfResult } from "../dunning/policy-what-if";
import { MIN_CASES } from "../dunning/recovery-odds";
import { MerchantFormat } from "../format/merchant-format";
import type { PolicyWhatIfView } from "../shop-settings/policy-what-if.server";

// The Settings page's what-if: what the saved policy and the one in the form would have done
// with the last 90 days' failed payments, side by side, each figure with what it rests on.
// Computed here, in the browser as on the server, by the pure simulation on the loader's
// aggregates: it follows every keystroke without a request.

interface Props {
  view: PolicyWhatIfView;
  saved: DunningPolicy;
  /** The form's policy; null while a field is invalid. */
  proposed: DunningPolicy | null;
  /** The form differs from the saved policy. */
  changed: boolean;
}

type Column = { heading: string; result: WhatIfResult; compareTo?: WhatIfResult };

export function PolicyWhatIf({ view, saved, proposed, changed }: Props) {
  const format = new MerchantFormat({ locale: view.locale, timeZone: view.timeZone, now: new Date(view.now) });
  const n = (value: number) => format.number(value);
  const { actual } = view.inputs;
  if (actual.payments === 0) {
    return (
      <Card>
        <div data-testid="what-if">
          <Text as="p" tone="subdued">
            No payment failed from {view.windowText}, so there is nothing to compare yet. Once charges fail, this shows what a change to these settings
            would have done with them, before you save it.
          </Text>
        </div>
      </Card>
    );
  }
  const current = simulatePolicy(view.inputs, saved);
  const columns: Column[] = [{ heading: changed ? "Saved settings" : "Your settings", result: current }];
  if (changed && proposed) columns.push({ heading: "With your changes", result: simulatePolicy(view.inputs, proposed), compareTo: current });
  const installationShops = view.inputs.odds.installation?.shops ?? 0;

  return (
    <Card>
      <div data-testid="what-if">
        <BlockStack gap="400">
          <Text as="p">
            {`Estimated for the ${n(current.payments)} ${current.payments === 1 ? "payment" : "payments"} that failed from ${view.windowText}` +
              (current.unaffected > 0 ? ` (and ${n(current.unaffected)} more these settings do not change: 3-D Secure or the shop's payment setup)` : "") +
              ", from past outcomes: an estimate, not a promise."}
          </Text>
          {changed && !proposed ? (
            <Text as="p" tone="subdued">
              Correct the highlighted fields to see what your changes would have done.
            </Text>
          ) : null}
          <table style={TABLE} data-testid="what-if-table">
            <thead>
              <tr>
                <th style={{ ...HEAD, textAlign: "start" }} scope="col">
                  <span style={VISUALLY_HIDDEN}>Figure</span>
                </th>
                {columns.map((column) => (
                  <th key={column.heading} style={HEAD} scope="col">
                    <Text as="span" variant="headingSm">
                      {column.heading}
                    </Text>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <FigureRow label="Payments recovered" columns={columns} cell={(result, base) => countCell(result.recovered, base?.recovered, format)} />
              <FigureRow label="Revenue recovered" columns={columns} cell={(result) => revenueCell(result, format)} />
              <FigureRow label="Contracts paused" columns={columns} cell={(result, base) => countCell(result.paused, base?.paused, format)} />
              <FigureRow label="Contracts cancelled" columns={columns} cell={(result, base) => countCell(result.cancelled, base?.cancelled, format)} />
              <FigureRow label="Billing cycles skipped" columns={columns} cell={(result, base) => countCell(result.skipped, base?.skipped, format)} />
              <FigureRow label="Payment-update emails" columns={columns} cell={(result, base) => countCell(result.emails, base?.emails, format)} />
              <FigureRow
                label="Most attempts on one card in any 30 days"
                columns={columns}
                cell={(result) => ({
                  value: `${n(result.mostAttemptsIn30Days)} of ${n(MAX_ATTEMPTS_IN_30_DAYS)}`,
                  basis: result.atCardNetworkLimit ? "at the card networks' limit" : "settings only",
                  tone: result.atCardNetworkLimit ? "caution" : undefined,
                })}
              />
            </tbody>
          </table>
          {!changed ? (
            <Text as="p" tone="subdued">
              Change a setting above to see what it would have done next to your saved settings.
            </Text>
          ) : null}
          <div data-testid="what-if-actual">
            <Text as="p">
              <Hydrated>{actualText(actual, format)}</Hydrated>
            </Text>
          </div>
          <Text as="p" variant="bodySm" tone="subdued">
            Under each figure, what it rests on, with its cases in brackets. Your history: this shop&apos;s retries and waits for a new card, by kind of
            decline, retry and days since the failure. Other shops: where yours has fewer than {n(MIN_CASES)} cases, the anonymous totals of{" "}
            {installationShops > 0 ? `the ${n(installationShops)} shops` : "the shops"} using this app (counts only
            {installationShops > 0 ? "" : "; not used until at least 3 shops have them"}). Assumptions: where neither has {n(MIN_CASES)}, the app&apos;s default
            odds (see the app&apos;s dunning guide).
          </Text>
        </BlockStack>
      </div>
    </Card>
  );
}

function actualText(actual: PolicyWhatIfView["inputs"]["actual"], format: MerchantFormat): string {
  const n = (value: number) => format.number(value);
  const recoveredAmounts = actual.recoveredAmounts.map((sum) => ({ currencyCode: sum.currencyCode, amount: sum.total }));
  return (
    `What happened in fact: ${n(actual.recovered)} of the ${n(actual.payments)} failed payments were recovered` +
    (recoveredAmounts.length ? ` (${moneyList(recoveredAmounts, format, false)})` : "") +
    `, ${n(actual.paused)} contracts paused, ${n(actual.cancelled)} cancelled and ${n(actual.skipped)} cycles skipped; ` +
    `${n(actual.emailsSent)} payment-update ${actual.emailsSent === 1 ? "email" : "emails"} went out` +
    (actual.stillOpen ? `; ${n(actual.stillOpen)} still being followed up` : "") +
    (actual.abandoned ? `; ${n(actual.abandoned)} closed without charging (the contract changed elsewhere), left out of the estimates` : "") +
    "."
  );
}

interface Cell {
  value: string;
  basis: string;
  change?: string;
  tone?: "caution";
}

function FigureRow({ label, columns, cell }: { label: string; columns: Column[]; cell: (result: WhatIfResult, base?: WhatIfResult) => Cell }) {
  return (
    <tr>
      <th scope="row" style={{ ...CELL, textAlign: "start", fontWeight: "inherit", paddingInlineStart: 0 }}>
        <Text as="span">{label}</Text>
      </th>
      {columns.map((column) => {
        const { value, basis, change, tone } = cell(column.result, column.compareTo);
        return (
          <td key={column.heading} style={CELL} data-testid="what-if-cell">
            <BlockStack gap="050">
              <Text as="span" variant="headingMd" tone={tone}>
                <Hydrated>{value}</Hydrated>
                {change ? (
                  <Text as="span" variant="bodySm" tone={change.startsWith("+") ? "success" : "subdued"}>
                    {" "}
                    <Hydrated>{change}</Hydrated>
                  </Text>
                ) : null}
              </Text>
              <Text as="span" variant="bodySm" tone="subdued">
                <Hydrated>{basis}</Hydrated>
              </Text>
            </BlockStack>
          </td>
        );
      })}
    </tr>
  );
}

/** Figures formatted by the browser's Intl, which may word a number slightly differently from the server's: its text wins. */
function Hydrated({ children }: { children: ReactNode }) {
  return <span suppressHydrationWarning>{children}</span>;
}

function approximately(value: number, format: MerchantFormat): string {
  if (value === 0) return "0";
  if (value < 0.5) return "under 1";
  return format.number(Math.round(value));
}

function countCell(estimate: Estimate, base: Estimate | undefined, format: MerchantFormat): Cell {
  const rounded = Math.round(estimate.value);
  const difference = base ? rounded - Math.round(base.value) : 0;
  return {
    value: approximately(estimate.value, format),
    basis: basisText(estimate.basis, format),
    change: base ? (difference === 0 ? "same" : `${difference > 0 ? "+" : "−"}${format.number(Math.abs(difference))}`) : undefined,
  };
}

function revenueCell(result: WhatIfResult, format: MerchantFormat): Cell {
  const { amounts, withoutAmount, basis } = result.revenue;
  const without = withoutAmount > 0 ? `; ${format.number(withoutAmount)} without a known amount left out` : "";
  return { value: amounts.length ? moneyList(amounts, format, true) : "none known", basis: `${basisText(basis, format)}${without}` };
}

function moneyList(amounts: Array<{ currencyCode: string | null; amount: string }>, format: MerchantFormat, estimate: boolean): string {
  return amounts.map((amount) => (estimate ? format.wholeMoney(amount.amount, amount.currencyCode) : format.money(amount.amount, amount.currencyCode))).join(" + ");
}

/** "your history (277), other shops (1,204), assumptions"; "settings only" when no odds are involved. */
export function basisText(basis: EstimateBasis, format: MerchantFormat): string {
  if (basis.fromSchedule) return "settings only";
  const parts = [
    ...(basis.shopCases > 0 ? [`your history (${format.number(basis.shopCases)})`] : []),
    ...(basis.installationCases > 0 ? [`other shops (${format.number(basis.installationCases)})`] : []),
    ...(basis.defaults > 0 ? ["assumptions"] : []),
  ];
  return parts.join(", ");
}

const TABLE: CSSProperties = { width: "100%", borderCollapse: "collapse", tableLayout: "fixed" };
const HEAD: CSSProperties = { textAlign: "end", padding: "0 0 var(--p-space-200) var(--p-space-200)", verticalAlign: "bottom" };
const CELL: CSSProperties = {
  textAlign: "end",
  padding: "var(--p-space-200) 0 var(--p-space-200) var(--p-space-200)",
  borderTop: "var(--p-border-width-025, 1px) solid var(--p-color-border-secondary, #ebebeb)",
  verticalAlign: "top",
  overflowWrap: "anywhere",
};
const VISUALLY_HIDDEN: CSSProperties = { position: "absolute", width: 1, height: 1, overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" };
