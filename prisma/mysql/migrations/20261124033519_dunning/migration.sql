-- Written by hand in the DDL Prisma emits for MySQL: Prisma 6.19's JavaScript schema
-- engine cannot render MySQL. The drift test checks it against the models.

-- DropIndex
DROP INDEX `DunningTracker_status_nextRetryAt_idx` ON `DunningTracker`;

-- AlterTable
ALTER TABLE `DunningTracker` DROP COLUMN `nextRetryAt`,
    ADD COLUMN `amount` VARCHAR(191) NULL,
    ADD COLUMN `currencyCode` VARCHAR(191) NULL,
    ADD COLUMN `emailDueAt` DATETIME(3) NULL,
    ADD COLUMN `emailsSent` INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN `lastEmailSentAt` DATETIME(3) NULL,
    ADD COLUMN `lastErrorClass` VARCHAR(191) NULL,
    ADD COLUMN `nextAction` VARCHAR(191) NULL,
    ADD COLUMN `nextActionAt` DATETIME(3) NULL,
    ADD COLUMN `openedAt` DATETIME(3) NOT NULL,
    ADD COLUMN `recoveredAmount` VARCHAR(191) NULL,
    MODIFY `attemptCount` INTEGER NOT NULL DEFAULT 1,
    MODIFY `completedReason` TEXT NULL;

-- CreateTable
CREATE TABLE `DunningPolicy` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `shop` VARCHAR(191) NOT NULL,
    `retryCount` INTEGER NOT NULL,
    `retryDelaysDays` VARCHAR(191) NOT NULL,
    `finalAction` VARCHAR(191) NOT NULL,
    `inventoryRetryCount` INTEGER NOT NULL,
    `inventoryRetryDelaysDays` VARCHAR(191) NOT NULL,
    `inventoryFinalAction` VARCHAR(191) NOT NULL,
    `sendPaymentUpdateEmail` BOOLEAN NOT NULL,
    `paymentUpdateEmailIntervalHours` INTEGER NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `DunningPolicy_shop_key`(`shop`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `DunningEvent` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `trackerId` INTEGER NOT NULL,
    `shop` VARCHAR(191) NOT NULL,
    `at` DATETIME(3) NOT NULL,
    `kind` VARCHAR(191) NOT NULL,
    `status` VARCHAR(191) NOT NULL,
    `attemptNumber` INTEGER NULL,
    `errorCode` VARCHAR(191) NULL,
    `detail` TEXT NOT NULL,

    INDEX `DunningEvent_trackerId_at_idx`(`trackerId`, `at`),
    INDEX `DunningEvent_shop_at_idx`(`shop`, `at`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `MerchantNotification` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `shop` VARCHAR(191) NOT NULL,
    `kind` VARCHAR(191) NOT NULL,
    `trackerId` INTEGER NULL,
    `contractId` VARCHAR(191) NULL,
    `message` TEXT NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `dismissedAt` DATETIME(3) NULL,

    INDEX `MerchantNotification_shop_dismissedAt_idx`(`shop`, `dismissedAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateIndex
CREATE INDEX `DunningTracker_status_nextActionAt_idx` ON `DunningTracker`(`status`, `nextActionAt`);

-- CreateIndex
CREATE INDEX `DunningTracker_status_emailDueAt_idx` ON `DunningTracker`(`status`, `emailDueAt`);
