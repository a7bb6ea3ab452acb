import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A load balancer in front of several app processes, as production puts one before its
 * replicas: each request goes to the next backend in turn. Like nginx's default, a request is
 * passed on to the next backend only when a connection cannot be made (a dead process);
 * one cut off after it was sent gets 502, since it may have been acted on (Shopify redelivers).
 */
export interface RoundRobinProxy {
  url: string;
  /** The backends requests are spread over from now on (base URLs such as http://127.0.0.1:41234). */
  setBackends(urls: string[]): void;
  /** Requests each backend answered, by base URL. */
  answeredBy: Map<string, number>;
  close(): Promise<void>;
}

// Hop-by-hop headers belong to one connection, not to the request passed on.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

function endToEndHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

export async function startRoundRobinProxy(initialBackends: string[] = []): Promise<RoundRobinProxy> {
  let backends = [...initialBackends];
  let next = 0;
  const answeredBy = new Map<string, number>();
  const agent = new http.Agent({ keepAlive: true });

  const forward = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse, triesLeft: number) => {
    if (backends.length === 0) {
      response.writeHead(503).end("no backend");
      return;
    }
    const backend = backends[next++ % backends.length];
    const target = new URL(request.url ?? "/", backend);
    const upstream = http.request(
      target,
      { method: request.method, headers: { ...endToEndHeaders(request.headers), "content-length": String(body.length) }, agent },
      (answer) => {
        answeredBy.set(backend, (answeredBy.get(backend) ?? 0) + 1);
        response.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
        answer.pipe(response);
        answer.on("error", () => response.destroy());
      },
    );
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (response.headersSent) response.destroy();
      else if (error.code === "ECONNREFUSED" && triesLeft > 1) forward(request, body, response, triesLeft - 1);
      else response.writeHead(502).end(`bad gateway: ${error.code ?? error.message}`);
    });
    upstream.end(body);
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => forward(request, Buffer.concat(chunks), response, Math.max(1, backends.length)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setBackends(urls) {
      backends = [...urls];
    },
    answeredBy,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
