-- AlterTable
ALTER TABLE "identity" ADD COLUMN     "last_seen_at" TIMESTAMPTZ(3),
ADD COLUMN     "unreachable_at" TIMESTAMPTZ(3);
