-- Written by hand in the DDL Prisma emits for MySQL: Prisma 6.19's JavaScript schema
-- engine cannot render MySQL. The drift test checks it against the models.

-- DropIndex
DROP INDEX `BillingAttempt_shop_runLocalDate_idx` ON `BillingAttempt`;

-- CreateTable
CREATE TABLE `Customer` (
    `shop` VARCHAR(191) NOT NULL,
    `customerId` VARCHAR(191) NOT NULL,
    `displayName` TEXT NOT NULL,
    `email` TEXT NULL,
    `searchText` VARCHAR(191) NOT NULL,
    `updatedAt` DATETIME(3) NOT NULL,

    INDEX `Customer_shop_searchText_idx`(`shop`, `searchText`),
    PRIMARY KEY (`shop`, `customerId`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateIndex
CREATE INDEX `DunningTracker_shop_nextActionAt_idx` ON `DunningTracker`(`shop`, `nextActionAt`);

-- CreateIndex
CREATE INDEX `DunningTracker_shop_openedAt_idx` ON `DunningTracker`(`shop`, `openedAt`);

-- CreateIndex
CREATE INDEX `BillingAttempt_shop_runLocalDate_status_idx` ON `BillingAttempt`(`shop`, `runLocalDate`, `status`);

-- CreateIndex
CREATE INDEX `BillingAttempt_shop_runLocalDate_createdAt_idx` ON `BillingAttempt`(`shop`, `runLocalDate`, `createdAt`);

-- CreateIndex
CREATE INDEX `BillingAttempt_shop_orderId_idx` ON `BillingAttempt`(`shop`, `orderId`);
