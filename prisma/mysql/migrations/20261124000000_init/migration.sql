-- Written by hand in the DDL Prisma emits for MySQL: Prisma 6.19's JavaScript schema
-- engine cannot render MySQL. The drift test checks it against the models.

-- CreateTable
CREATE TABLE `Session` (
    `id` VARCHAR(191) NOT NULL,
    `shop` VARCHAR(191) NOT NULL,
    `state` VARCHAR(191) NOT NULL,
    `isOnline` BOOLEAN NOT NULL DEFAULT false,
    `scope` TEXT NULL,
    `expires` DATETIME(3) NULL,
    `accessToken` TEXT NOT NULL,
    `userId` BIGINT NULL,
    `firstName` VARCHAR(191) NULL,
    `lastName` VARCHAR(191) NULL,
    `email` VARCHAR(191) NULL,
    `accountOwner` BOOLEAN NOT NULL DEFAULT false,
    `locale` VARCHAR(191) NULL,
    `collaborator` BOOLEAN NULL DEFAULT false,
    `emailVerified` BOOLEAN NULL DEFAULT false,
    `refreshToken` TEXT NULL,
    `refreshTokenExpires` DATETIME(3) NULL,

    INDEX `Session_shop_idx`(`shop`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `BillingSchedule` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `shop` VARCHAR(191) NOT NULL,
    `timezone` VARCHAR(191) NOT NULL,
    `billingHour` INTEGER NOT NULL DEFAULT 9,
    `active` BOOLEAN NOT NULL DEFAULT true,
    `lastBilledLocalDate` VARCHAR(191) NULL,
    `nextRunAt` DATETIME(3) NULL,
    `leaseOwner` VARCHAR(191) NULL,
    `leaseExpiresAt` DATETIME(3) NULL,
    `lastRunStartedAt` DATETIME(3) NULL,
    `lastRunFinishedAt` DATETIME(3) NULL,
    `deactivatedReason` VARCHAR(191) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `BillingSchedule_shop_key`(`shop`),
    INDEX `BillingSchedule_active_nextRunAt_idx`(`active`, `nextRunAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `DunningTracker` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `shop` VARCHAR(191) NOT NULL,
    `contractId` VARCHAR(191) NOT NULL,
    `billingCycleIndex` INTEGER NOT NULL,
    `customerId` VARCHAR(191) NULL,
    `status` VARCHAR(191) NOT NULL DEFAULT 'OPEN',
    `attemptCount` INTEGER NOT NULL DEFAULT 0,
    `nextRetryAt` DATETIME(3) NULL,
    `lastErrorCode` VARCHAR(191) NULL,
    `lastErrorMessage` TEXT NULL,
    `finalAction` VARCHAR(191) NULL,
    `finalActionAppliedAt` DATETIME(3) NULL,
    `completedAt` DATETIME(3) NULL,
    `completedReason` VARCHAR(191) NULL,
    `leaseOwner` VARCHAR(191) NULL,
    `leaseExpiresAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    INDEX `DunningTracker_status_nextRetryAt_idx`(`status`, `nextRetryAt`),
    INDEX `DunningTracker_shop_status_idx`(`shop`, `status`),
    INDEX `DunningTracker_shop_customerId_idx`(`shop`, `customerId`),
    UNIQUE INDEX `DunningTracker_shop_contractId_billingCycleIndex_key`(`shop`, `contractId`, `billingCycleIndex`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `ProcessedWebhook` (
    `webhookId` VARCHAR(191) NOT NULL,
    `shop` VARCHAR(191) NOT NULL,
    `topic` VARCHAR(191) NOT NULL,
    `processedAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `ProcessedWebhook_shop_idx`(`shop`),
    INDEX `ProcessedWebhook_processedAt_idx`(`processedAt`),
    PRIMARY KEY (`webhookId`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
