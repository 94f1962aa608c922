import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../handlers/index.js';
import {
  FeatureConflictError,
  commandMenu,
  composeFeatures,
  type Feature,
  type FeatureHandler,
} from '../../src/core/feature.js';

const handler = (name: string, extra: Partial<FeatureHandler> = {}): FeatureHandler => ({
  name,
  priority: 0,
  async handle() {},
  ...extra,
});
const feature = (name: string, handlers: FeatureHandler[], extra: Partial<Feature> = {}) => ({
  name,
  handlers,
  texts: [],
  ...extra,
});
const cmd = (name: string, args?: 'any' | 'none' | 'required') => ({
  name,
  audience: ['everyone' as const],
  description: 'x',
  ...(args ? { args } : {}),
});

describe('composing features', () => {
  it('stops start-up when two features claim the same command, naming both', () => {
    const a = feature('alpha', [handler('a.one', { commands: [cmd('baocao')] })]);
    const b = feature('beta', [
      handler('b.one', { commands: [{ ...cmd('report'), aliases: ['baocao'] }] }),
    ]);
    expect(() => composeFeatures([a, b])).toThrow(FeatureConflictError);
    expect(() => composeFeatures([a, b])).toThrow(/\/baocao.*alpha\/a\.one.*beta\/b\.one/);
  });

  it('stops start-up on overlapping button prefixes such as rep: and rep:g:', () => {
    const a = feature('alpha', [handler('a', { buttons: ['rep:'] })]);
    const b = feature('beta', [handler('b', { buttons: ['rep:g:'] })]);
    expect(() => composeFeatures([a, b])).toThrow(
      /"rep:" \(alpha\/a\) and "rep:g:" \(beta\/b\) overlap/,
    );
    expect(() => composeFeatures([b, a])).toThrow(FeatureConflictError);
  });

  it('stops start-up when two features continue the same flow or declare the same job', () => {
    const a = feature('alpha', [handler('a', { flows: ['report'] })]);
    const b = feature('beta', [handler('b', { flows: ['report'] })]);
    expect(() => composeFeatures([a, b])).toThrow(/flow "report"/);
    const job = { name: 'remind', cron: '0 8 * * *', handle: async () => {} };
    expect(() =>
      composeFeatures([feature('x', [], { jobs: [job] }), feature('y', [], { jobs: [job] })]),
    ).toThrow(/job "remind" is declared by x\/remind and y\/remind/);
  });

  it('lets one feature take a bare command and another the same command with arguments', () => {
    const greet = feature('basics', [handler('start', { commands: [cmd('start', 'none')] })]);
    const link = feature('reporting', [handler('link', { commands: [cmd('start', 'required')] })]);
    const c = composeFeatures([greet, link]);
    const entries = c.commandTable.get('/start') ?? [];
    expect(entries.map((e) => [e.args, e.handler.name])).toEqual([
      ['none', 'start'],
      ['required', 'link'],
    ]);
    const any = feature('other', [handler('any', { commands: [cmd('start')] })]);
    expect(() => composeFeatures([greet, any])).toThrow(FeatureConflictError);
  });

  it('orders predicates by declared priority, not by the order features are listed', () => {
    const low = feature('low', [handler('low', { priority: -10 })]);
    const high = feature('high', [handler('high', { priority: 50 })]);
    const mid = feature('mid', [handler('mid', { priority: 0 })]);
    const names = (fs: Feature[]) => composeFeatures(fs).handlers.map((h) => h.name);
    expect(names([low, mid, high])).toEqual(['high', 'mid', 'low']);
    expect(names([high, low, mid])).toEqual(['high', 'mid', 'low']);
  });

  it("composes the bot's own features without conflicts", () => {
    const c = composeFeatures(FEATURES);
    const names = ['basics', 'reporting', 'managers', 'groups', 'dashboard', 'citizens'];
    expect(c.features.map((f) => f.name)).toEqual(names);
    expect(c.texts).toEqual(names);
  });

  it("builds each audience's menu from the declarations", () => {
    const c = composeFeatures(FEATURES);
    const t = (k: string) => `«${k}»`;
    const everyone = commandMenu(c.commands, ['everyone'], t).map((m) => m.command);
    const reporter = commandMenu(c.commands, ['everyone', 'reporter'], t).map((m) => m.command);
    expect(everyone).toEqual(expect.arrayContaining(['start', 'help', 'lang', 'link', 'dichvu']));
    expect(everyone).not.toContain('baocao');
    expect(reporter).toEqual(expect.arrayContaining(['baocao', 'trangthai', 'rut']));
    // Aliases and the deep-link form of /start are never listed.
    expect(reporter.filter((n) => n === 'start')).toHaveLength(1);
    expect(reporter).not.toContain('bc');
  });
});
