import { vi } from "vitest";

export * from "./shopify-requests";

/**
 * Loads the app's modules afresh with `env`: each test file (and provider) gets its own
 * Prisma client and shopifyApp() bound to its own database.
 */
export async function loadAppModules(env: Record<string, string>) {
  vi.resetModules();
  Object.assign(process.env, env);
  delete globalThis.__appPrisma;
  return {
    prisma: (await import("../../app/db.server")).default,
  };
}

type RouteFunction = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;

/** Calls a route module's loader or action the way Remix does; a thrown Response is returned. */
async function callRoute(modulePath: string, exportName: "loader" | "action", request: Request): Promise<unknown> {
  const route = (await import(/* @vite-ignore */ modulePath)) as Record<typeof exportName, RouteFunction>;
  try {
    return await route[exportName]({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

export function callAction(modulePath: string, request: Request): Promise<Response> {
  return callRoute(modulePath, "action", request) as Promise<Response>;
}

export function callLoader<T = unknown>(modulePath: string, request: Request): Promise<T | Response> {
  return callRoute(modulePath, "loader", request) as Promise<T | Response>;
}
