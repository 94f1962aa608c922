-- CreateTable
CREATE TABLE "confirmed_draft" (
    "key" TEXT NOT NULL,
    "person_id" TEXT,
    "receipt" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "confirmed_draft_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "confirmed_draft_at_idx" ON "confirmed_draft"("at");
