-- AlterTable
ALTER TABLE `BillingAttempt` ADD COLUMN `customerId` VARCHAR(191) NULL;

-- CreateIndex
CREATE INDEX `BillingAttempt_shop_customerId_idx` ON `BillingAttempt`(`shop`, `customerId`);
