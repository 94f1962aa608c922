-- AlterTable
ALTER TABLE "invitation" ADD COLUMN     "hash_version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'membership';

-- AlterTable
ALTER TABLE "invite_attempt" ADD COLUMN     "channel" TEXT;

-- CreateIndex
CREATE INDEX "invite_attempt_channel_at_idx" ON "invite_attempt"("channel", "at");

-- Codes a person made for itself with /link (label person:<creator>) are self-link codes: they
-- attach an identity to their maker and grant no membership.
UPDATE "invitation" SET "kind" = 'self_link'
WHERE "created_by" IS NOT NULL AND "label" = 'person:' || "created_by";
