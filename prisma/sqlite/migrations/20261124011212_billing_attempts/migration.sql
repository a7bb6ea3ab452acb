-- AlterTable
ALTER TABLE "BillingSchedule" ADD COLUMN "lastRunError" TEXT;
ALTER TABLE "BillingSchedule" ADD COLUMN "lastRunOutcome" TEXT;

-- CreateTable
CREATE TABLE "BillingAttempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "contractId" TEXT NOT NULL,
    "billingCycleIndex" INTEGER NOT NULL,
    "attemptNumber" INTEGER NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "shopifyAttemptId" TEXT,
    "orderId" TEXT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "expectedBillingDate" DATETIME NOT NULL,
    "runLocalDate" TEXT NOT NULL,
    "sentAt" DATETIME,
    "completedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "BillingAttempt_idempotencyKey_key" ON "BillingAttempt"("idempotencyKey");

-- CreateIndex
CREATE INDEX "BillingAttempt_shop_status_idx" ON "BillingAttempt"("shop", "status");

-- CreateIndex
CREATE INDEX "BillingAttempt_shop_runLocalDate_idx" ON "BillingAttempt"("shop", "runLocalDate");

-- CreateIndex
CREATE INDEX "BillingAttempt_shopifyAttemptId_idx" ON "BillingAttempt"("shopifyAttemptId");

-- CreateIndex
CREATE UNIQUE INDEX "BillingAttempt_cycle_attempt_key" ON "BillingAttempt"("shop", "contractId", "billingCycleIndex", "attemptNumber");

