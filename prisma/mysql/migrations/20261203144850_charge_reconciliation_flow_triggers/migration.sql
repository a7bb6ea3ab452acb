-- Written by hand in the DDL Prisma emits for MySQL: Prisma 6.19's JavaScript schema
-- engine cannot render MySQL. The drift test checks it against the models.

-- CreateTable
CREATE TABLE `ChargeReconciliation` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `shop` VARCHAR(191) NOT NULL,
    `localDate` VARCHAR(191) NOT NULL,
    `status` VARCHAR(191) NOT NULL DEFAULT 'DUE',
    `cursor` TEXT NULL,
    `attemptsRead` INTEGER NOT NULL DEFAULT 0,
    `cyclesCharged` INTEGER NULL,
    `cyclesChargedMoreThanOnce` INTEGER NULL,
    `ordersWithoutAttempt` INTEGER NULL,
    `attemptsWithoutOutcome` INTEGER NULL,
    `error` TEXT NULL,
    `leaseOwner` VARCHAR(191) NULL,
    `leaseExpiresAt` DATETIME(3) NULL,
    `completedAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    INDEX `ChargeReconciliation_status_id_idx`(`status`, `id`),
    UNIQUE INDEX `ChargeReconciliation_shop_localDate_key`(`shop`, `localDate`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `ChargeLedgerEntry` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `shop` VARCHAR(191) NOT NULL,
    `localDate` VARCHAR(191) NOT NULL,
    `shopifyAttemptId` VARCHAR(191) NOT NULL,
    `idempotencyKey` VARCHAR(191) NOT NULL,
    `contractId` VARCHAR(191) NOT NULL,
    `billingCycleIndex` INTEGER NULL,
    `state` VARCHAR(191) NOT NULL,
    `orderId` VARCHAR(191) NULL,
    `orderName` VARCHAR(191) NULL,
    `orderCreatedAt` DATETIME(3) NULL,
    `attemptCreatedAt` DATETIME(3) NOT NULL,
    `billingAttemptId` INTEGER NULL,

    INDEX `ChargeLedgerEntry_shop_localDate_idx`(`shop`, `localDate`),
    INDEX `ChargeLedgerEntry_shop_contractId_billingCycleIndex_idx`(`shop`, `contractId`, `billingCycleIndex`),
    UNIQUE INDEX `ChargeLedgerEntry_shop_shopifyAttemptId_key`(`shop`, `shopifyAttemptId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `FlowTriggerEvent` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `shop` VARCHAR(191) NOT NULL,
    `eventKey` VARCHAR(191) NOT NULL,
    `handle` VARCHAR(191) NOT NULL,
    `trackerId` INTEGER NOT NULL,
    `contractId` VARCHAR(191) NOT NULL,
    `billingCycleIndex` INTEGER NOT NULL,
    `customerId` VARCHAR(191) NULL,
    `attemptNumber` INTEGER NOT NULL,
    `declineCode` VARCHAR(191) NULL,
    `declineReason` TEXT NULL,
    `finalAction` VARCHAR(191) NULL,
    `amount` VARCHAR(191) NULL,
    `currencyCode` VARCHAR(191) NULL,
    `occurredAt` DATETIME(3) NOT NULL,
    `status` VARCHAR(191) NOT NULL DEFAULT 'PENDING',
    `deliveryAttempts` INTEGER NOT NULL DEFAULT 0,
    `nextAttemptAt` DATETIME(3) NULL,
    `lastError` TEXT NULL,
    `payload` TEXT NULL,
    `sentAt` DATETIME(3) NULL,
    `leaseOwner` VARCHAR(191) NULL,
    `leaseExpiresAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `FlowTriggerEvent_eventKey_key`(`eventKey`),
    INDEX `FlowTriggerEvent_status_id_idx`(`status`, `id`),
    INDEX `FlowTriggerEvent_shop_customerId_idx`(`shop`, `customerId`),
    INDEX `FlowTriggerEvent_trackerId_idx`(`trackerId`),
    INDEX `FlowTriggerEvent_createdAt_idx`(`createdAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
