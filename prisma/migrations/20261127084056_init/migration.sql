-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "UnitLevel" AS ENUM ('province', 'district', 'commune');

-- CreateEnum
CREATE TYPE "IndicatorUnit" AS ENUM ('percent', 'count', 'boolean');

-- CreateEnum
CREATE TYPE "Periodicity" AS ENUM ('month', 'quarter', 'half', 'year');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('reporter', 'manager', 'admin');

-- CreateEnum
CREATE TYPE "SubmissionStatus" AS ENUM ('active', 'withdrawn');

-- CreateEnum
CREATE TYPE "SubmissionAction" AS ENUM ('create', 'update', 'withdraw');

-- CreateEnum
CREATE TYPE "DeliveryKind" AS ENUM ('reminder', 'broadcast', 'notice');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('queued', 'sent', 'failed', 'undeliverable');

-- CreateTable
CREATE TABLE "unit" (
    "id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "level" "UnitLevel" NOT NULL,
    "name_en" TEXT,
    "parent_id" TEXT,
    "effective_from" DATE NOT NULL,
    "effective_to" DATE,
    "name_folded" TEXT NOT NULL,

    CONSTRAINT "unit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "unit_alias" (
    "id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "alias_folded" TEXT NOT NULL,
    "source" TEXT NOT NULL,

    CONSTRAINT "unit_alias_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "indicator" (
    "code" TEXT NOT NULL,
    "name_vi" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "unit" "IndicatorUnit" NOT NULL,
    "numerator_label" TEXT,
    "denominator_label" TEXT,
    "periodicity" "Periodicity" NOT NULL,
    "applies_to" TEXT[],
    "aliases" TEXT[],
    "target_source" TEXT,

    CONSTRAINT "indicator_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "indicator_target" (
    "id" TEXT NOT NULL,
    "indicator_code" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "level" "UnitLevel" NOT NULL,
    "op" TEXT NOT NULL,
    "value" DECIMAL(18,4) NOT NULL,

    CONSTRAINT "indicator_target_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "person" (
    "id" TEXT NOT NULL,
    "display_name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "identity" (
    "channel" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "person_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_pkey" PRIMARY KEY ("channel","external_id")
);

-- CreateTable
CREATE TABLE "membership" (
    "id" TEXT NOT NULL,
    "person_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removed_at" TIMESTAMPTZ(3),

    CONSTRAINT "membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invitation" (
    "id" TEXT NOT NULL,
    "code_hash" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "used_by_person_id" TEXT,
    "revoked_at" TIMESTAMPTZ(3),
    "label" TEXT,

    CONSTRAINT "invitation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invite_attempt" (
    "id" TEXT NOT NULL,
    "identity_key" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invite_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "submission" (
    "id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "indicator_code" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "period_start" DATE NOT NULL,
    "numerator" DECIMAL(18,4),
    "denominator" DECIMAL(18,4),
    "value" DECIMAL(18,4),
    "note" TEXT,
    "status" "SubmissionStatus" NOT NULL DEFAULT 'active',
    "first_submitted_at" TIMESTAMPTZ(3) NOT NULL,
    "last_submitted_at" TIMESTAMPTZ(3) NOT NULL,
    "last_person_id" TEXT,
    "last_channel" TEXT,
    "ref" TEXT NOT NULL,

    CONSTRAINT "submission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "submission_version" (
    "id" TEXT NOT NULL,
    "submission_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "person_id" TEXT,
    "channel" TEXT,
    "action" "SubmissionAction" NOT NULL,
    "old_data" JSONB,
    "new_data" JSONB NOT NULL,

    CONSTRAINT "submission_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "period_reopen" (
    "id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,
    "by_person_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "period_reopen_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedule_config" (
    "id" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "imported_by" TEXT,

    CONSTRAINT "schedule_config_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "procedure" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "name_folded" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "level_source" TEXT,
    "level" TEXT,
    "online_level" TEXT NOT NULL,
    "online_level_detail" TEXT,
    "processing_time" TEXT,
    "fee" TEXT,
    "portal_url" TEXT,
    "source" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "procedure_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "catalog_meta" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "catalog_meta_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "unanswered_query" (
    "query_folded" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "first_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "unanswered_query_pkey" PRIMARY KEY ("query_folded")
);

-- CreateTable
CREATE TABLE "processed_update" (
    "channel" TEXT NOT NULL,
    "update_id" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_update_pkey" PRIMARY KEY ("channel","update_id")
);

-- CreateTable
CREATE TABLE "delivery" (
    "id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "chat_id" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "buttons" JSONB,
    "kind" "DeliveryKind" NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'queued',
    "reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "dedupe_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oa_token" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "access_token" TEXT NOT NULL,
    "refresh_token" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "oa_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oa_interaction" (
    "user_id" TEXT NOT NULL,
    "last_interaction_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "oa_interaction_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE INDEX "unit_parent_id_idx" ON "unit"("parent_id");

-- CreateIndex
CREATE INDEX "unit_effective_to_idx" ON "unit"("effective_to");

-- CreateIndex
CREATE UNIQUE INDEX "unit_code_effective_from_key" ON "unit"("code", "effective_from");

-- CreateIndex
CREATE INDEX "unit_alias_alias_folded_idx" ON "unit_alias"("alias_folded");

-- CreateIndex
CREATE UNIQUE INDEX "unit_alias_unit_id_alias_folded_key" ON "unit_alias"("unit_id", "alias_folded");

-- CreateIndex
CREATE UNIQUE INDEX "indicator_target_indicator_code_year_level_key" ON "indicator_target"("indicator_code", "year", "level");

-- CreateIndex
CREATE INDEX "identity_person_id_idx" ON "identity"("person_id");

-- CreateIndex
CREATE INDEX "membership_person_id_idx" ON "membership"("person_id");

-- CreateIndex
CREATE INDEX "membership_unit_id_idx" ON "membership"("unit_id");

-- CreateIndex
CREATE UNIQUE INDEX "invitation_code_hash_key" ON "invitation"("code_hash");

-- CreateIndex
CREATE INDEX "invitation_unit_id_idx" ON "invitation"("unit_id");

-- CreateIndex
CREATE INDEX "invite_attempt_identity_key_at_idx" ON "invite_attempt"("identity_key", "at");

-- CreateIndex
CREATE UNIQUE INDEX "submission_ref_key" ON "submission"("ref");

-- CreateIndex
CREATE INDEX "submission_period_indicator_code_idx" ON "submission"("period", "indicator_code");

-- CreateIndex
CREATE UNIQUE INDEX "submission_unit_id_indicator_code_period_key" ON "submission"("unit_id", "indicator_code", "period");

-- CreateIndex
CREATE INDEX "submission_version_submission_id_at_idx" ON "submission_version"("submission_id", "at");

-- CreateIndex
CREATE INDEX "period_reopen_unit_id_period_idx" ON "period_reopen"("unit_id", "period");

-- CreateIndex
CREATE INDEX "schedule_config_imported_at_idx" ON "schedule_config"("imported_at");

-- CreateIndex
CREATE INDEX "audit_log_entity_entity_id_idx" ON "audit_log"("entity", "entity_id");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "processed_update_processed_at_idx" ON "processed_update"("processed_at");

-- CreateIndex
CREATE UNIQUE INDEX "delivery_dedupe_key_key" ON "delivery"("dedupe_key");

-- CreateIndex
CREATE INDEX "delivery_status_idx" ON "delivery"("status");

-- AddForeignKey
ALTER TABLE "unit" ADD CONSTRAINT "unit_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "unit_alias" ADD CONSTRAINT "unit_alias_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "indicator_target" ADD CONSTRAINT "indicator_target_indicator_code_fkey" FOREIGN KEY ("indicator_code") REFERENCES "indicator"("code") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identity" ADD CONSTRAINT "identity_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "membership" ADD CONSTRAINT "membership_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "membership" ADD CONSTRAINT "membership_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "submission" ADD CONSTRAINT "submission_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "submission" ADD CONSTRAINT "submission_indicator_code_fkey" FOREIGN KEY ("indicator_code") REFERENCES "indicator"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "submission_version" ADD CONSTRAINT "submission_version_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submission"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "period_reopen" ADD CONSTRAINT "period_reopen_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
