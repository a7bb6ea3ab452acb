import { UNINSTALLED_REASON } from "../schedules/schedule.server";
import type { Prisma } from "../db/client.server";
import { closeTrackersOfUninstalledShop } from "../dunning/outside-changes.server";

/** app/uninstalled: the shop's tokens are dead; forget them, stop billing it and close its dunning. */
export async function forgetUninstalledShop(tx: Prisma.TransactionClient, shop: string, at: Date) {
  await closeTrackersOfUninstalledShop(tx, shop, at);
  await tx.session.deleteMany({ where: { shop } });
  await tx.billingSchedule.updateMany({
    where: { shop },
    data: { active: false, deactivatedReason: UNINSTALLED_REASON, leaseOwner: null, leaseExpiresAt: null },
  });
}

/** app/scopes_update: keep the stored sessions' scope in step with what the merchant granted. */
export async function recordGrantedScopes(tx: Prisma.TransactionClient, shop: string, scopes: string[]) {
  await tx.session.updateMany({ where: { shop }, data: { scope: scopes.join(",") } });
}
