/**
 * Prisma's P2034: the database rolled the statement or transaction back for a deadlock
 * (MySQL/MariaDB 1213) or a write conflict, and asks for it to be run again.
 */
export function isWriteConflict(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "P2034";
}

/**
 * Runs a single conditional statement again when the database rolled it back as a deadlock's
 * victim: it changed nothing, and its condition is checked afresh. InnoDB picks one when a
 * lease claim, which may reach the row through a secondary index, meets a release of the same
 * row changing that index (seen with three app processes on MariaDB, tests/e2e/three-replicas).
 */
export async function retryOnWriteConflict<T>(statement: () => Promise<T>, tries = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if (!isWriteConflict(error) || attempt >= tries) throw error;
      // The other transaction commits within milliseconds; a little jitter keeps two victims apart.
      await new Promise((resolve) => setTimeout(resolve, attempt * 5 + Math.random() * 10));
    }
  }
}
