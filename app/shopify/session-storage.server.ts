import type { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { PrismaClient } from "../db/client.server";
import { isUniqueConstraintViolation } from "../db/errors";

/**
 * PrismaSessionStorage, safe when two requests store the same session at once (Remix runs
 * the layout's and the page's loaders in parallel, and both may exchange a token). The
 * library retries a unique-key race only when the error is an instance of the
 * `@prisma/client` class, which the app's per-provider clients do not share in every
 * process (docs/decisions/0002); this checks Prisma's error code instead.
 */
export class ConcurrencySafeSessionStorage extends PrismaSessionStorage<PrismaClient> {
  override async storeSession(session: Session): Promise<boolean> {
    try {
      return await super.storeSession(session);
    } catch (error) {
      if (!isUniqueConstraintViolation(error)) throw error;
      // The other request created the row between our read and our insert: now it is an update.
      return super.storeSession(session);
    }
  }
}
