-- AlterTable
ALTER TABLE "delivery" ADD COLUMN     "batch_id" TEXT;

-- CreateTable
CREATE TABLE "reminder_mute" (
    "person_id" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reminder_mute_pkey" PRIMARY KEY ("person_id","period")
);

-- CreateTable
CREATE TABLE "broadcast" (
    "id" TEXT NOT NULL,
    "created_by" TEXT,
    "unit_id" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "recipients" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "broadcast_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "broadcast_created_by_created_at_idx" ON "broadcast"("created_by", "created_at");

-- CreateIndex
CREATE INDEX "delivery_batch_id_idx" ON "delivery"("batch_id");

-- AddForeignKey
ALTER TABLE "reminder_mute" ADD CONSTRAINT "reminder_mute_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
