-- AlterTable
ALTER TABLE "person" ADD COLUMN     "locale" TEXT;

-- CreateTable
CREATE TABLE "locale_choice" (
    "channel" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "locale_choice_pkey" PRIMARY KEY ("channel","user_id")
);
