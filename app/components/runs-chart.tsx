import { BlockStack, Box, InlineStack, Text } from "@shopify/polaris";

// The overview's chart of the last days' billing runs: one bar per local date, charged,
// failed and not yet settled stacked, with a strip under the days whose run caught up
// charges of earlier days. Plain SVG in Polaris' colours; the numbers are also in a table
// for screen readers, and each bar names its day and counts on hover.

export interface RunsChartDay {
  localDate: string;
  label: string;
  description: string;
  charged: number;
  failed: number;
  pending: number;
  caughtUp: number;
}

const SERIES = [
  { key: "charged", label: "Charged", color: "var(--p-color-bg-fill-success)" },
  { key: "failed", label: "Failed", color: "var(--p-color-bg-fill-critical)" },
  { key: "pending", label: "Not settled yet", color: "var(--p-color-bg-fill-caution)" },
] as const;
const CAUGHT_UP_COLOR = "var(--p-color-bg-fill-magic)";

const BAR_WIDTH = 10;
const GAP = 4;
const HEIGHT = 100;
const STRIP = 4;

const visuallyHidden = {
  position: "absolute",
  width: 1,
  height: 1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
} as const;

export function RunsChart({ days, largestDay, summary }: { days: RunsChartDay[]; largestDay: number; summary: string }) {
  const width = days.length * (BAR_WIDTH + GAP) - GAP;
  const scale = largestDay > 0 ? HEIGHT / largestDay : 0;
  const middle = days[Math.floor((days.length - 1) / 2)];
  return (
    <BlockStack gap="200">
      <Text as="span" variant="bodySm" tone="subdued">
        {largestDay > 0 ? `Up to ${largestDay} charges a day` : ""}
      </Text>
      <Box borderBlockEndWidth="025" borderColor="border">
        <svg
          role="img"
          aria-label={summary}
          viewBox={`0 0 ${width} ${HEIGHT + STRIP + 2}`}
          preserveAspectRatio="none"
          width="100%"
          height={HEIGHT + STRIP + 2}
          style={{ display: "block" }}
          data-testid="runs-chart"
        >
          {days.map((day, index) => {
            const x = index * (BAR_WIDTH + GAP);
            let top = HEIGHT;
            return (
              <g key={day.localDate} data-date={day.localDate}>
                <title>{day.description}</title>
                {/* The full column is hoverable even on a day without charges. */}
                <rect x={x} y={0} width={BAR_WIDTH} height={HEIGHT} fill="transparent" />
                {SERIES.map((series) => {
                  const value = day[series.key];
                  if (!value) return null;
                  const height = Math.max(value * scale, 1);
                  top -= height;
                  return <rect key={series.key} x={x} y={top} width={BAR_WIDTH} height={height} style={{ fill: series.color }} />;
                })}
                {day.caughtUp > 0 ? <rect x={x} y={HEIGHT + 2} width={BAR_WIDTH} height={STRIP} style={{ fill: CAUGHT_UP_COLOR }} /> : null}
              </g>
            );
          })}
        </svg>
      </Box>
      <InlineStack align="space-between" wrap={false}>
        <Text as="span" variant="bodySm" tone="subdued">
          {days[0]?.label}
        </Text>
        <Text as="span" variant="bodySm" tone="subdued">
          {middle?.label}
        </Text>
        <Text as="span" variant="bodySm" tone="subdued">
          {days[days.length - 1]?.label}
        </Text>
      </InlineStack>
      <InlineStack gap="400" wrap>
        {SERIES.map((series) => (
          <Legend key={series.key} color={series.color} label={series.label} />
        ))}
        <Legend color={CAUGHT_UP_COLOR} label="Caught up from earlier days" strip />
      </InlineStack>
      <table style={visuallyHidden}>
        <caption>Billing runs by day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Charged</th>
            <th scope="col">Failed</th>
            <th scope="col">Not settled yet</th>
            <th scope="col">Caught up</th>
          </tr>
        </thead>
        <tbody>
          {days.map((day) => (
            <tr key={day.localDate}>
              <th scope="row">{day.label}</th>
              <td>{day.charged}</td>
              <td>{day.failed}</td>
              <td>{day.pending}</td>
              <td>{day.caughtUp}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </BlockStack>
  );
}

function Legend({ color, label, strip = false }: { color: string; label: string; strip?: boolean }) {
  return (
    <InlineStack gap="100" blockAlign="center" wrap={false}>
      <span aria-hidden style={{ display: "inline-block", width: 12, height: strip ? 4 : 12, borderRadius: 2, background: color }} />
      <Text as="span" variant="bodySm">
        {label}
      </Text>
    </InlineStack>
  );
}
