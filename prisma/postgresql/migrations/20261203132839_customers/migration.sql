-- DropIndex
DROP INDEX "BillingAttempt_shop_runLocalDate_idx";

-- CreateTable
CREATE TABLE "Customer" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "email" TEXT,
    "searchText" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateIndex
CREATE INDEX "Customer_shop_searchText_idx" ON "Customer"("shop", "searchText");

-- CreateIndex
CREATE INDEX "DunningTracker_shop_nextActionAt_idx" ON "DunningTracker"("shop", "nextActionAt");

-- CreateIndex
CREATE INDEX "DunningTracker_shop_openedAt_idx" ON "DunningTracker"("shop", "openedAt");

-- CreateIndex
CREATE INDEX "BillingAttempt_shop_runLocalDate_status_idx" ON "BillingAttempt"("shop", "runLocalDate", "status");

-- CreateIndex
CREATE INDEX "BillingAttempt_shop_runLocalDate_createdAt_idx" ON "BillingAttempt"("shop", "runLocalDate", "createdAt");

-- CreateIndex
CREATE INDEX "BillingAttempt_shop_orderId_idx" ON "BillingAttempt"("shop", "orderId");

