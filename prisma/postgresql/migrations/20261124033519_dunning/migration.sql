-- DropIndex
DROP INDEX "DunningTracker_status_nextRetryAt_idx";

-- AlterTable
ALTER TABLE "DunningTracker" DROP COLUMN "nextRetryAt",
ADD COLUMN     "amount" TEXT,
ADD COLUMN     "currencyCode" TEXT,
ADD COLUMN     "emailDueAt" TIMESTAMP(3),
ADD COLUMN     "emailsSent" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastEmailSentAt" TIMESTAMP(3),
ADD COLUMN     "lastErrorClass" TEXT,
ADD COLUMN     "nextAction" TEXT,
ADD COLUMN     "nextActionAt" TIMESTAMP(3),
ADD COLUMN     "openedAt" TIMESTAMP(3) NOT NULL,
ADD COLUMN     "recoveredAmount" TEXT,
ALTER COLUMN "attemptCount" SET DEFAULT 1;

-- CreateTable
CREATE TABLE "DunningPolicy" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "retryCount" INTEGER NOT NULL,
    "retryDelaysDays" TEXT NOT NULL,
    "finalAction" TEXT NOT NULL,
    "inventoryRetryCount" INTEGER NOT NULL,
    "inventoryRetryDelaysDays" TEXT NOT NULL,
    "inventoryFinalAction" TEXT NOT NULL,
    "sendPaymentUpdateEmail" BOOLEAN NOT NULL,
    "paymentUpdateEmailIntervalHours" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DunningPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DunningEvent" (
    "id" SERIAL NOT NULL,
    "trackerId" INTEGER NOT NULL,
    "shop" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attemptNumber" INTEGER,
    "errorCode" TEXT,
    "detail" TEXT NOT NULL,

    CONSTRAINT "DunningEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MerchantNotification" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "trackerId" INTEGER,
    "contractId" TEXT,
    "message" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dismissedAt" TIMESTAMP(3),

    CONSTRAINT "MerchantNotification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DunningPolicy_shop_key" ON "DunningPolicy"("shop");

-- CreateIndex
CREATE INDEX "DunningEvent_trackerId_at_idx" ON "DunningEvent"("trackerId", "at");

-- CreateIndex
CREATE INDEX "DunningEvent_shop_at_idx" ON "DunningEvent"("shop", "at");

-- CreateIndex
CREATE INDEX "MerchantNotification_shop_dismissedAt_idx" ON "MerchantNotification"("shop", "dismissedAt");

-- CreateIndex
CREATE INDEX "DunningTracker_status_nextActionAt_idx" ON "DunningTracker"("status", "nextActionAt");

-- CreateIndex
CREATE INDEX "DunningTracker_status_emailDueAt_idx" ON "DunningTracker"("status", "emailDueAt");
