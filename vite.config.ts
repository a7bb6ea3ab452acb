import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Plugin, type UserConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import { InvalidEnvironmentError, loadEnvFile, parseEnvironment, type AppConfig } from "./app/config/environment";

// The dev server (`shopify app dev`) reads .env too; the CLI's variables win over it.
loadEnvFile();

// `shopify app dev` passes the tunnel URL as HOST on older CLIs; normalise it.
if (process.env.HOST && (!process.env.SHOPIFY_APP_URL || process.env.SHOPIFY_APP_URL === process.env.HOST)) {
  process.env.SHOPIFY_APP_URL = process.env.HOST;
  delete process.env.HOST;
}

const appUrl = new URL(process.env.SHOPIFY_APP_URL || "http://localhost");
const hmr =
  appUrl.hostname === "localhost"
    ? { protocol: "ws", host: "localhost", port: 64999, clientPort: 64999 }
    : { protocol: "wss", host: appUrl.hostname, port: Number(process.env.FRONTEND_PORT) || 8002, clientPort: 443 };

/**
 * The dev server starts the app as the production server does (server.ts): the environment
 * validated first, every problem listed, then the database checked, before any request.
 */
function startAppWithTheDevServer(): Plugin {
  return {
    name: "start-app",
    apply: "serve",
    configureServer(server) {
      // Only the dev server that listens: `remix vite:build` runs Vite servers that never do.
      server.httpServer?.once("listening", async () => {
        let config: AppConfig;
        try {
          config = parseEnvironment(process.env);
        } catch (error) {
          console.error(error instanceof InvalidEnvironmentError ? error.message : error);
          process.exit(1);
        }
        try {
          const entry = (await server.ssrLoadModule("/app/entry.server.tsx")) as { startApp(config: AppConfig): Promise<void> };
          await entry.startApp(config);
        } catch (error) {
          console.error((error as Error).message);
          process.exit(1);
        }
      });
    },
  };
}

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig(({ isSsrBuild }) => ({
  server: {
    port: Number(process.env.PORT || 3000),
    hmr,
    fs: { allow: ["app", "node_modules"] },
  },
  plugins: [
    remix({
      ignoredRouteFiles: ["**/.*", "**/*.test.ts", "**/*.test.tsx"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: true,
        v3_routeConfig: false,
      },
    }),
    tsconfigPaths(),
    startAppWithTheDevServer(),
  ],
  build: { assetsInlineLimit: 0, ...(isSsrBuild ? { target: "node24" } : {}) },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
}) satisfies UserConfig);
