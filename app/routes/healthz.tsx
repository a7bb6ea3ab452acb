import { inspectAppDatabase } from "../db/app-database.server";

const MIGRATIONS_LABEL = {
  tables_missing: "missing",
  migrations_pending: "pending",
  migration_failed: "failed",
} as const;

// For load balancers and uptime checks: no authentication, and no secrets in the answer.
export const loader = async () => {
  const state = await inspectAppDatabase();
  if (state.status === "ready") return Response.json({ db: "ok", migrations: "current" });
  const body =
    state.status === "unreachable"
      ? { db: "unreachable", migrations: "unknown", error: state.error.message }
      : { db: "ok", migrations: MIGRATIONS_LABEL[state.status], error: state.error.message };
  return Response.json(body, { status: 503, headers: { "Cache-Control": "no-store" } });
};
