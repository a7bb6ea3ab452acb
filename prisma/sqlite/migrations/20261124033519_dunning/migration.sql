-- CreateTable
CREATE TABLE "DunningPolicy" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "retryCount" INTEGER NOT NULL,
    "retryDelaysDays" TEXT NOT NULL,
    "finalAction" TEXT NOT NULL,
    "inventoryRetryCount" INTEGER NOT NULL,
    "inventoryRetryDelaysDays" TEXT NOT NULL,
    "inventoryFinalAction" TEXT NOT NULL,
    "sendPaymentUpdateEmail" BOOLEAN NOT NULL,
    "paymentUpdateEmailIntervalHours" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DunningEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "trackerId" INTEGER NOT NULL,
    "shop" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attemptNumber" INTEGER,
    "errorCode" TEXT,
    "detail" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "MerchantNotification" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "trackerId" INTEGER,
    "contractId" TEXT,
    "message" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dismissedAt" DATETIME
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_DunningTracker" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "contractId" TEXT NOT NULL,
    "billingCycleIndex" INTEGER NOT NULL,
    "customerId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "attemptCount" INTEGER NOT NULL DEFAULT 1,
    "nextAction" TEXT,
    "nextActionAt" DATETIME,
    "emailDueAt" DATETIME,
    "lastEmailSentAt" DATETIME,
    "emailsSent" INTEGER NOT NULL DEFAULT 0,
    "lastErrorClass" TEXT,
    "lastErrorCode" TEXT,
    "lastErrorMessage" TEXT,
    "amount" TEXT,
    "currencyCode" TEXT,
    "recoveredAmount" TEXT,
    "finalAction" TEXT,
    "finalActionAppliedAt" DATETIME,
    "openedAt" DATETIME NOT NULL,
    "completedAt" DATETIME,
    "completedReason" TEXT,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_DunningTracker" ("attemptCount", "billingCycleIndex", "completedAt", "completedReason", "contractId", "createdAt", "customerId", "finalAction", "finalActionAppliedAt", "id", "lastErrorCode", "lastErrorMessage", "leaseExpiresAt", "leaseOwner", "shop", "status", "updatedAt") SELECT "attemptCount", "billingCycleIndex", "completedAt", "completedReason", "contractId", "createdAt", "customerId", "finalAction", "finalActionAppliedAt", "id", "lastErrorCode", "lastErrorMessage", "leaseExpiresAt", "leaseOwner", "shop", "status", "updatedAt" FROM "DunningTracker";
DROP TABLE "DunningTracker";
ALTER TABLE "new_DunningTracker" RENAME TO "DunningTracker";
CREATE INDEX "DunningTracker_status_nextActionAt_idx" ON "DunningTracker"("status", "nextActionAt");
CREATE INDEX "DunningTracker_status_emailDueAt_idx" ON "DunningTracker"("status", "emailDueAt");
CREATE INDEX "DunningTracker_shop_status_idx" ON "DunningTracker"("shop", "status");
CREATE INDEX "DunningTracker_shop_customerId_idx" ON "DunningTracker"("shop", "customerId");
CREATE UNIQUE INDEX "DunningTracker_shop_contractId_billingCycleIndex_key" ON "DunningTracker"("shop", "contractId", "billingCycleIndex");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "DunningPolicy_shop_key" ON "DunningPolicy"("shop");

-- CreateIndex
CREATE INDEX "DunningEvent_trackerId_at_idx" ON "DunningEvent"("trackerId", "at");

-- CreateIndex
CREATE INDEX "DunningEvent_shop_at_idx" ON "DunningEvent"("shop", "at");

-- CreateIndex
CREATE INDEX "MerchantNotification_shop_dismissedAt_idx" ON "MerchantNotification"("shop", "dismissedAt");
