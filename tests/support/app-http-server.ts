import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { callAction } from "./app-under-test";

/**
 * Serves some of the app's route actions over real HTTP, in the test process, so the
 * store simulator can POST webhooks to the app as Shopify would (headers, HMAC, retries).
 * `routes` maps a path ("/webhooks/subscription_billing_attempts") to a route module path.
 */
export async function serveRouteActions(routes: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://app.test");
      const modulePath = routes[url.pathname];
      if (!modulePath || req.method !== "POST") {
        res.writeHead(404).end();
        return;
      }
      try {
        const response = await callAction(modulePath, await toRequest(req, url));
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch (error) {
        res.writeHead(500).end(String(error));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function toRequest(req: IncomingMessage, url: URL): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  return new Request(url, { method: req.method, headers, body: Buffer.concat(chunks) });
}
