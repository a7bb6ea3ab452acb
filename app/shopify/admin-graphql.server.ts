import { AdminGraphqlError } from "./admin-api-errors";

export { AdminGraphqlError };

/** The Admin API GraphQL call as shopify-app-remix exposes it (`admin.graphql`). */
export type AdminGraphql = (
  query: string,
  options?: { variables?: Record<string, unknown> },
) => Promise<Response>;

/** Runs one named operation and returns its `data`, or throws with Shopify's errors. */
export async function runAdminOperation<Data>(
  graphql: AdminGraphql,
  operation: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<Data> {
  const response = await graphql(query, variables ? { variables } : undefined);
  const body = (await response.json()) as { data?: Data; errors?: unknown };
  if (body.errors || !body.data) throw new AdminGraphqlError(operation, body.errors ?? "no data");
  return body.data;
}
