/**
 * Process-wide counters an operator (and the benchmark) reads from GET /api/metrics:
 * how much database and Shopify work the app does for the billing it performs.
 */
export interface AppMetrics {
  databaseStatements: number;
  shopifyCalls: Record<string, number>;
  webhooks: Record<string, number>;
}

const metrics: AppMetrics = { databaseStatements: 0, shopifyCalls: {}, webhooks: {} };

export function countDatabaseStatement(): void {
  metrics.databaseStatements++;
}

/** One Admin API round trip, by outcome ("ok", "throttled", "retryable", ...). */
export function countShopifyCall(outcome: string): void {
  metrics.shopifyCalls[outcome] = (metrics.shopifyCalls[outcome] ?? 0) + 1;
}

/** One webhook delivery, by result ("processed", "duplicate"). */
export function countWebhook(result: string): void {
  metrics.webhooks[result] = (metrics.webhooks[result] ?? 0) + 1;
}

/** Where the resident memory is: V8's heap (used and reserved), and memory outside it (buffers, WebAssembly). */
function memoryBreakdown() {
  const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { heapUsedBytes: heapUsed, heapTotalBytes: heapTotal, externalBytes: external, arrayBuffersBytes: arrayBuffers };
}

export function readMetrics(): AppMetrics & { uptimeSeconds: number; rssBytes: number; peakRssBytes: number; memory: ReturnType<typeof memoryBreakdown> } {
  return {
    databaseStatements: metrics.databaseStatements,
    shopifyCalls: { ...metrics.shopifyCalls },
    webhooks: { ...metrics.webhooks },
    uptimeSeconds: Math.round(process.uptime()),
    rssBytes: process.memoryUsage.rss(),
    // resourceUsage reports kilobytes on Linux.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    memory: memoryBreakdown(),
  };
}
