-- AlterTable
ALTER TABLE "BillingAttempt" ADD COLUMN     "customerId" TEXT;

-- CreateIndex
CREATE INDEX "BillingAttempt_shop_customerId_idx" ON "BillingAttempt"("shop", "customerId");

