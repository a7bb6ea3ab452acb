-- AlterTable
ALTER TABLE "BillingSchedule" ADD COLUMN     "lastRunError" TEXT,
ADD COLUMN     "lastRunOutcome" TEXT;

-- CreateTable
CREATE TABLE "BillingAttempt" (
    "id" SERIAL NOT NULL,
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
    "expectedBillingDate" TIMESTAMP(3) NOT NULL,
    "runLocalDate" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BillingAttempt_pkey" PRIMARY KEY ("id")
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

