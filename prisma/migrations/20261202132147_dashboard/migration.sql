-- CreateTable
CREATE TABLE "dashboard_link" (
    "id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "person_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "dashboard_link_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dashboard_session" (
    "id" TEXT NOT NULL,
    "id_hash" TEXT NOT NULL,
    "person_id" TEXT,
    "csrf" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "dashboard_session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dashboard_link_token_hash_key" ON "dashboard_link"("token_hash");

-- CreateIndex
CREATE INDEX "dashboard_link_person_id_idx" ON "dashboard_link"("person_id");

-- CreateIndex
CREATE UNIQUE INDEX "dashboard_session_id_hash_key" ON "dashboard_session"("id_hash");

-- CreateIndex
CREATE INDEX "dashboard_session_person_id_idx" ON "dashboard_session"("person_id");
