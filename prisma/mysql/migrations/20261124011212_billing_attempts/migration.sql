-- Written by hand in the DDL Prisma emits for MySQL: Prisma 6.19's JavaScript schema
-- engine cannot render MySQL. The drift test checks it against the models.

-- AlterTable
ALTER TABLE `BillingSchedule` ADD COLUMN `lastRunOutcome` VARCHAR(191) NULL,
    ADD COLUMN `lastRunError` TEXT NULL;

-- CreateTable
CREATE TABLE `BillingAttempt` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `shop` VARCHAR(191) NOT NULL,
    `contractId` VARCHAR(191) NOT NULL,
    `billingCycleIndex` INTEGER NOT NULL,
    `attemptNumber` INTEGER NOT NULL,
    `idempotencyKey` VARCHAR(191) NOT NULL,
    `status` VARCHAR(191) NOT NULL DEFAULT 'PENDING',
    `shopifyAttemptId` VARCHAR(191) NULL,
    `orderId` VARCHAR(191) NULL,
    `errorCode` VARCHAR(191) NULL,
    `errorMessage` TEXT NULL,
    `expectedBillingDate` DATETIME(3) NOT NULL,
    `runLocalDate` VARCHAR(191) NOT NULL,
    `sentAt` DATETIME(3) NULL,
    `completedAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `BillingAttempt_idempotencyKey_key`(`idempotencyKey`),
    INDEX `BillingAttempt_shop_status_idx`(`shop`, `status`),
    INDEX `BillingAttempt_shop_runLocalDate_idx`(`shop`, `runLocalDate`),
    INDEX `BillingAttempt_shopifyAttemptId_idx`(`shopifyAttemptId`),
    UNIQUE INDEX `BillingAttempt_cycle_attempt_key`(`shop`, `contractId`, `billingCycleIndex`, `attemptNumber`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
