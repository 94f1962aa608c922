/**
 * The layer rules live in the linter (eslint.config.js): a deliberate violation of each fails
 * `npm run lint`, and the code base as it is passes.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

describe('layer rules', () => {
  it('refuse a handler that imports the database, even for a type', async () => {
    const found = await problems(
      'handlers/reporting/violation.ts',
      "import type { DbClient } from '../../src/db/client.js';\nexport type X = DbClient;\n",
    );
    expect(found.join('\n')).toMatch(/never the database/);
  });

  it('refuse a handler that imports a channel adapter, express or telegraf', async () => {
    for (const spec of ['../../src/channels/telegram/index.js', 'express', 'telegraf']) {
      const found = await problems(
        'handlers/basics/violation.ts',
        `import * as x from '${spec}';\nexport const y = x;\n`,
      );
      expect(found, spec).toHaveLength(1);
    }
  });

  it('refuse the domain importing a channel, the server, express or a handler', async () => {
    for (const spec of [
      '../channels/types.js',
      '../server/http.js',
      'express',
      '../../handlers/index.js',
    ]) {
      const found = await problems(
        'src/domain/violation.ts',
        `import * as x from '${spec}';\nexport const y = x;\n`,
      );
      expect(found, spec).toHaveLength(1);
    }
  });

  it('refuse channels importing handlers, and text utilities importing the domain', async () => {
    expect(
      await problems(
        'src/channels/telegram/violation.ts',
        "import { FEATURES } from '../../../handlers/index.js';\nexport const y = FEATURES;\n",
      ),
    ).toHaveLength(1);
    expect(
      await problems(
        'src/text/violation.ts',
        "import { parsePeriod } from '../domain/periods.js';\nexport const y = parsePeriod;\n",
      ),
    ).toHaveLength(1);
  });

  it(
    'let the composition root import every layer, and pass on the code as it is',
    { timeout: 180_000 },
    async () => {
      expect(
        await problems(
          'src/app.ts',
          "import { FEATURES } from '../handlers/index.js';\nimport { createDb } from './db/client.js';\nimport express from 'express';\nexport const y = [FEATURES, createDb, express];\n",
        ),
      ).toEqual([]);
      // The whole tree is linted by `npm run lint` in CI; here one file per layer.
      const results = await eslint.lintFiles([
        'src/app.ts',
        'src/domain/periods.ts',
        'src/channels/route.ts',
        'src/core/conversation.ts',
        'handlers/reporting/index.ts',
      ]);
      const layerProblems = results.flatMap((r) =>
        r.messages
          .filter((m) => m.ruleId === 'no-restricted-imports')
          .map((m) => `${r.filePath}: ${m.message}`),
      );
      expect(layerProblems).toEqual([]);
    },
  );
});
