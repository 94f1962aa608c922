/**
 * Indicators and their targets. Targets are milestones (2025, 2030…) per unit level; the target
 * in force for a year is the latest milestone at or before it, and none means "no target yet"
 * (never invented).
 */
import type { Prisma, PrismaClient } from '../../db/generated/client.js';

export type TargetOp = '>' | '>=';

/** The milestone in force for `year` at `level`, or undefined when none applies yet. */
export function targetInForce<T extends { year: number; level: string }>(
  targets: readonly T[],
  year: number,
  level: string,
): T | undefined {
  return targets
    .filter((t) => t.level === level && t.year <= year)
    .sort((a, b) => b.year - a.year)[0];
}

/** True when `value` meets the target (`op` is '>' or '>='). */
export function meetsTarget(value: number, op: string, target: number): boolean {
  return op === '>' ? value > target : value >= target;
}

/** All indicators with their targets, ordered by code. */
export function listIndicators(db: PrismaClient | Prisma.TransactionClient) {
  return db.indicator.findMany({ include: { targets: true }, orderBy: { code: 'asc' } });
}
