# syntax=docker/dockerfile:1
# cds-bot: multi-stage image on Node 22 (pg-boss 12 requires Node >= 22.12; `engines` says so).
# The build stage installs everything, generates the Prisma client, type-checks and compiles to
# dist/ (`npm run build`); the runtime stage has compiled JavaScript and production dependencies
# only (no tsx, no Prisma CLI or engines, no TypeScript, no exceljs, no test or bench code), runs
# as the non-root user and applies migrations at start with the wasm schema engine (the app does
# so before it listens). `node scripts/runtime-stage.mjs` reproduces the runtime stage without
# Docker and runs in .ci/run.

FROM node:22.23-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run build

FROM node:22.23-bookworm-slim AS runtime
# HOST=0.0.0.0: inside a container the server must listen beyond loopback; which port is
# published (and to which interface) decides what is exposed.
# MALLOC_ARENA_MAX=2 and --max-semi-space-size=4 (CMD): glibc's per-thread malloc arenas and
# V8's default 16 MB young generation cost ~50 MB of idle RSS for no gain at this load
# (npm run bench:footprint).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional: the Prisma CLI and TypeScript are optional peers of @prisma/client that the
# lock file records as "devOptional"; --omit=dev alone would install them.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# `npm start` / `npm run admin` work too: their pre-hook (build when stale) finds no src/ here.
COPY --from=build /app/scripts/build.mjs ./scripts/build.mjs
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
# The admin CLI in the container: docker exec <c> node dist/src/admin/cli.js <command>
CMD ["node", "--max-semi-space-size=4", "dist/src/main.js"]
