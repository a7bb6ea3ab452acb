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

/** Calls a route module's action the way Remix does. */
export async function callAction(
  modulePath: string,
  request: Request,
): Promise<Response> {
  const route = (await import(/* @vite-ignore */ modulePath)) as {
    action: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;
  };
  try {
    return await route.action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

export async function callLoader<T = unknown>(modulePath: string, request: Request): Promise<T | Response> {
  const route = (await import(/* @vite-ignore */ modulePath)) as {
    loader: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<T>;
  };
  try {
    return await route.loader({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
