import { setAppConfig } from "../../app/config/app-config.server";
import { parseEnvironment } from "../../app/config/environment";
import { closeAppDatabase, prisma } from "../../app/db/app-database.server";

export * from "./shopify-requests";

/**
 * Runs the app in this process with `env` as its whole environment (validated as the server
 * validates it; process.env is not touched): the route modules then use this database and
 * a shopifyApp() built for it. Called again, it starts over as a restarted process would.
 */
export async function runAppInProcess(env: Record<string, string>) {
  await closeAppDatabase();
  setAppConfig(parseEnvironment(env));
  return { prisma: prisma() };
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
