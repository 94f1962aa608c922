-- CreateTable
CREATE TABLE "chat_group" (
    "channel" TEXT NOT NULL,
    "chat_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "registered_by" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chat_group_pkey" PRIMARY KEY ("channel","chat_id")
);

-- CreateIndex
CREATE INDEX "chat_group_unit_id_idx" ON "chat_group"("unit_id");

-- AddForeignKey
ALTER TABLE "chat_group" ADD CONSTRAINT "chat_group_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
