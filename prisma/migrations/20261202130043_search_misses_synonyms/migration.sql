-- CreateTable
CREATE TABLE "search_miss" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "shown" TEXT[],
    "picked_code" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "picked_at" TIMESTAMPTZ(3),

    CONSTRAINT "search_miss_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "search_synonym" (
    "line" INTEGER NOT NULL,
    "rule" TEXT NOT NULL,

    CONSTRAINT "search_synonym_pkey" PRIMARY KEY ("line")
);

-- CreateIndex
CREATE INDEX "search_miss_at_idx" ON "search_miss"("at");
