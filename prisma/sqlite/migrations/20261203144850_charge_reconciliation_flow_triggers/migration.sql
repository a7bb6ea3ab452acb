-- CreateTable
CREATE TABLE "ChargeReconciliation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "localDate" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'DUE',
    "cursor" TEXT,
    "attemptsRead" INTEGER NOT NULL DEFAULT 0,
    "cyclesCharged" INTEGER,
    "cyclesChargedMoreThanOnce" INTEGER,
    "ordersWithoutAttempt" INTEGER,
    "attemptsWithoutOutcome" INTEGER,
    "error" TEXT,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "completedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ChargeLedgerEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "localDate" TEXT NOT NULL,
    "shopifyAttemptId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "contractId" TEXT NOT NULL,
    "billingCycleIndex" INTEGER,
    "state" TEXT NOT NULL,
    "orderId" TEXT,
    "orderName" TEXT,
    "orderCreatedAt" DATETIME,
    "attemptCreatedAt" DATETIME NOT NULL,
    "billingAttemptId" INTEGER
);

-- CreateTable
CREATE TABLE "FlowTriggerEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "trackerId" INTEGER NOT NULL,
    "contractId" TEXT NOT NULL,
    "billingCycleIndex" INTEGER NOT NULL,
    "customerId" TEXT,
    "attemptNumber" INTEGER NOT NULL,
    "declineCode" TEXT,
    "declineReason" TEXT,
    "finalAction" TEXT,
    "amount" TEXT,
    "currencyCode" TEXT,
    "occurredAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "deliveryAttempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "lastError" TEXT,
    "payload" TEXT,
    "sentAt" DATETIME,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "ChargeReconciliation_status_id_idx" ON "ChargeReconciliation"("status", "id");

-- CreateIndex
CREATE UNIQUE INDEX "ChargeReconciliation_shop_localDate_key" ON "ChargeReconciliation"("shop", "localDate");

-- CreateIndex
CREATE INDEX "ChargeLedgerEntry_shop_localDate_idx" ON "ChargeLedgerEntry"("shop", "localDate");

-- CreateIndex
CREATE INDEX "ChargeLedgerEntry_shop_contractId_billingCycleIndex_idx" ON "ChargeLedgerEntry"("shop", "contractId", "billingCycleIndex");

-- CreateIndex
CREATE UNIQUE INDEX "ChargeLedgerEntry_shop_shopifyAttemptId_key" ON "ChargeLedgerEntry"("shop", "shopifyAttemptId");

-- CreateIndex
CREATE UNIQUE INDEX "FlowTriggerEvent_eventKey_key" ON "FlowTriggerEvent"("eventKey");

-- CreateIndex
CREATE INDEX "FlowTriggerEvent_status_id_idx" ON "FlowTriggerEvent"("status", "id");

-- CreateIndex
CREATE INDEX "FlowTriggerEvent_shop_customerId_idx" ON "FlowTriggerEvent"("shop", "customerId");

-- CreateIndex
CREATE INDEX "FlowTriggerEvent_trackerId_idx" ON "FlowTriggerEvent"("trackerId");

-- CreateIndex
CREATE INDEX "FlowTriggerEvent_createdAt_idx" ON "FlowTriggerEvent"("createdAt");

