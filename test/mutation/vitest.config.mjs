import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.ts';
import { modules } from './modules.mjs';

// The focused test set of one mutation module (scripts/mutation.mjs sets MUTATION_MODULE).
// Spread, not mergeConfig: mergeConfig would append to the base `include` instead of replacing it.
const name = process.env.MUTATION_MODULE ?? '';
const module = modules[name];
if (!module) throw new Error(`MUTATION_MODULE=${name}: not a module in test/mutation/modules.mjs`);

export default defineConfig({ ...base, test: { ...base.test, include: module.tests } });
