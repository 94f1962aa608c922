/**
 * The features of the bot, in the order their texts load. Adding a capability is one folder
 * under handlers/ plus one line here; routing order comes from each handler's priority.
 */
import type { Feature } from '../src/core/feature.js';
import type { AppServices } from '../src/services/index.js';
import { basics } from './basics/index.js';
import { citizens } from './citizens/index.js';
import { dashboardFeature } from './dashboard/index.js';
import { groups } from './groups/index.js';
import { managers } from './managers/index.js';
import { reporting } from './reporting/index.js';

export const FEATURES: readonly Feature<AppServices>[] = [
  basics,
  reporting,
  managers,
  groups,
  dashboardFeature,
  citizens,
];

export { fallbackHandler } from './basics/index.js';
