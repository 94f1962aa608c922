/**
 * Targets in force. Targets are milestones (2025, 2030) per indicator and unit level; for a
 * year between milestones the latest milestone at or before that year is in force, the next
 * one is only shown as the direction. No milestone yet -> no target (never invent one).
 */
export type TargetOp = '>' | '>=';

export interface TargetRow {
  year: number;
  level: string;
  op: string;
  value: { toString(): string } | number;
}

export interface TargetEvaluation {
  target: number;
  op: TargetOp;
  /** Milestone year of the target in force. */
  year: number;
  /** Whether `value` meets it; null when there is no value to compare. */
  met: boolean | null;
  /** The next milestone after the one in force (shown as the direction), if any. */
  next?: { year: number; op: TargetOp; target: number };
}

/** Whether `value` satisfies `op target`. */
export function meets(value: number, op: TargetOp, target: number): boolean {
  return op === '>' ? value > target : value >= target;
}

/**
 * The target of `indicator` in force for `level` in `year`, and whether `value` meets it.
 * @returns null when no milestone at or before `year` exists for that level ("chưa có chỉ tiêu").
 */
export function evaluateTarget(
  indicator: { targets: readonly TargetRow[] },
  level: string,
  year: number,
  value: number | null,
): TargetEvaluation | null {
  const mine = indicator.targets.filter((t) => t.level === level).sort((a, b) => a.year - b.year);
  let inForce: TargetRow | undefined;
  for (const t of mine) if (t.year <= year) inForce = t;
  if (!inForce) return null;
  const op: TargetOp = inForce.op === '>' ? '>' : '>=';
  const target = Number(inForce.value.toString());
  const nextRow = mine.find((t) => t.year > year);
  const result: TargetEvaluation = {
    target,
    op,
    year: inForce.year,
    met: value === null ? null : meets(value, op, target),
  };
  if (nextRow) {
    result.next = {
      year: nextRow.year,
      op: nextRow.op === '>' ? '>' : '>=',
      target: Number(nextRow.value.toString()),
    };
  }
  return result;
}
