/**
 * Mutation-testing modules (issue #10 item 1): for each module, the source files Stryker
 * mutates and the only test files that exercise them. `npm run test:mutation -- <module>`
 * (scripts/mutation.mjs) runs one module; every `mutate` entry must match at least one file,
 * so a file moved by a refactor fails the run instead of silently dropping out of scope.
 *
 * Test lists stay narrow on purpose: Stryker runs, for each mutant, only the tests that cover
 * it, but the initial dry run executes every listed file, and DB-heavy files that merely pass
 * through a module cost minutes each without killing anything.
 */
export const modules = {
  // The signature and event parsing are pure: their own unit tests kill their mutants in
  // milliseconds. channel.ts needs the webhook and the database (PGlite per mutant run).
  'zalo-oa-events': {
    mutate: ['src/channels/zalo-oa/signature.ts', 'src/channels/zalo-oa/update.ts'],
    tests: ['test/channels/zalo-oa/signature.test.ts', 'test/channels/zalo-oa/update.test.ts'],
  },
  // Not test/channels/replay.test.ts: it starts a whole app per run and kills nothing more.
  'zalo-oa': {
    mutate: ['src/channels/zalo-oa/channel.ts'],
    tests: ['test/channels/zalo-oa/channel.test.ts', 'test/channels/zalo-oa/failures.test.ts'],
  },
  'zalo-bot': {
    mutate: ['src/channels/zalo-bot/update.ts', 'src/channels/zalo-bot/channel.ts'],
    tests: ['test/channels/zalo-bot/update.test.ts', 'test/channels/zalo-bot/channel.test.ts'],
  },
  'telegram-events': {
    mutate: ['src/channels/telegram/update.ts'],
    tests: ['test/channels/telegram/update.test.ts'],
  },
  // The channel's group policy, menus and start-up retries are exercised by whole-app tests
  // (a PGlite app each); perTest coverage runs only the tests that cover a mutant.
  telegram: {
    mutate: ['src/channels/telegram/channel.ts'],
    tests: [
      'test/channels/telegram/channel.test.ts',
      'test/channels/telegram/group.test.ts',
      'test/app/channel-start.test.ts',
    ],
  },
  webhook: {
    mutate: ['src/channels/webhook.ts'],
    // The shared pieces are pure or need only a loopback express: their own unit test.
    tests: ['test/channels/webhook.test.ts'],
  },
  // Split: the 1,559-line parser alone has 2,048 mutants (over an hour at concurrency 1 on this
  // machine); the lexer's few hundred run in minutes.
  lexer: {
    mutate: ['src/report-parser/lexer.ts'],
    tests: ['test/report-parser/*.test.ts'],
  },
  // Not lexer/suggest tests (they never reach the parser) nor properties.test.ts: its fast-check
  // loops add ~2 s to every surviving mutant's run, and a full run must fit in about an hour.
  // Measured again on 3 December (load ≈ 15): its 7 tests take 6.6 s, the three that reach the
  // parser 2.1 + 1.5 + 2.3 s. Every mutant they cover pays that when it survives: about 250
  // survivors × 6 s over 2 workers, some 12 min more on a 43 min run. They assert no crash and
  // round trips on random input, not the reading of a given message, so what they would kill is
  // left to chance; the readings are pinned in analysis.test.ts instead.
  // analysis.test.ts: what analyseReport makes of messages with slips, field by field.
  parser: {
    mutate: ['src/report-parser/parser.ts'],
    tests: [
      'test/report-parser/parser.test.ts',
      'test/report-parser/parser-errors.test.ts',
      'test/report-parser/read.test.ts',
      'test/report-parser/analysis.test.ts',
    ],
  },
  'admin-endpoint': {
    mutate: ['src/admin/endpoint.ts'],
    // cli.test.ts drives the whole server createApp builds: minutes per run, nothing more killed here.
    tests: ['test/admin/endpoint.test.ts'],
  },
  // Its own test on one small PGlite tree: the people and submission files that pass through it
  // took 36 s for the dry run and about 10 mutants a minute at concurrency 1.
  access: {
    mutate: ['src/domain/access.ts'],
    tests: ['test/domain/access.test.ts'],
  },
  // Split: the whole people folder (812 mutants) ran at about 10 s a mutant at concurrency 1
  // (each run restarts a PGlite database for its test file): three hours. Invitations and their
  // codes here, the people read on every update (members, groups, locale, reachability) below.
  people: {
    mutate: [
      'src/domain/people/invitations.ts',
      'src/domain/people/invite-code.ts',
      'src/domain/people/errors.ts',
      'src/domain/people/index.ts',
    ],
    tests: ['test/domain/people/invitations.test.ts', 'test/domain/people/invite-code.test.ts'],
  },
  members: {
    mutate: [
      'src/domain/people/members.ts',
      'src/domain/people/groups.ts',
      'src/domain/people/locale.ts',
      'src/domain/people/reachability.ts',
    ],
    tests: [
      'test/domain/people/members.test.ts',
      'test/domain/people/groups.test.ts',
      'test/domain/people/locale.test.ts',
      'test/domain/people/reachability.test.ts',
    ],
  },
  // Split: every limiter mutant also ran the queue's pg-boss tests (they all use the in-memory
  // limiter, and vitest runs the larger file first), so the limiter alone took minutes a mutant.
  // Run both with TEST_REDIS_URL=redis://127.0.0.1:6379, or the Redis limiter has no coverage.
  'delivery-limiter': {
    mutate: ['src/delivery/limiter.ts'],
    tests: ['test/delivery/limiter.test.ts'],
  },
  delivery: {
    mutate: ['src/delivery/queue.ts', 'src/delivery/index.ts'],
    tests: ['test/delivery/queue.test.ts'],
  },
  submit: {
    mutate: ['src/domain/submissions/submit.ts'],
    tests: ['test/domain/submissions/submit.test.ts', 'test/domain/concurrency.test.ts'],
  },
  conversation: {
    mutate: ['src/core/conversation.ts'],
    tests: ['test/core/conversation.test.ts', 'test/core/conversation-details.test.ts'],
  },
  // The server createApp builds: its admin gate and streams, landing page, health and errors.
  // Not test/server/metrics.test.ts (it tests metrics.ts through apps with pg-boss and a fake
  // Bot API): every mutant of createHttpApp's set-up code runs all listed files, and http.test.ts
  // covers the /metrics route itself.
  http: {
    mutate: ['src/server/http.ts'],
    tests: [
      'test/server/http.test.ts',
      'test/server/admin-gate.test.ts',
      'test/server/shutdown.test.ts',
    ],
  },
};
