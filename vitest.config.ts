import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Kept apart from vite.config.ts: the Remix plugin must not run under vitest.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    reporters: ["default", "./tests/support/summary-reporter.ts"],
    // Logs of passing tests are noise; a failing test still shows what the app printed.
    silent: "passed-only",
    globalSetup: ["./tests/support/global-setup.ts"],
    setupFiles: ["./tests/support/fail-on-console-error.ts"],
    // A developer's .env must not reach the app, setup or Prisma CLI runs of the tests.
    env: { APP_ENV_FILE: "" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        // The pure code, the simulator and the tools: no build, no database server.
        test: { name: "unit", include: ["app/**/*.test.ts", "simulator/**/*.test.ts", "demo/**/*.test.ts", "tools/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "integration", include: ["tests/integration/**/*.test.ts"] },
      },
      {
        extends: true,
        // One file at a time: each starts the built server (and Chromium). The build is
        // made once, here, only for these.
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["./tests/support/build-app.ts"],
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 120_000,
        },
      },
    ],
  },
});
