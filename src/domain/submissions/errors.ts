import { DomainError, vnDateTimeText } from '../access.js';

export interface Reopener {
  personId: string;
  displayName: string | null;
  role: 'reporter' | 'manager' | 'admin';
  unitCode: string;
}

/**
 * The (unit, period) is locked: figures can no longer be submitted, corrected or withdrawn.
 * Names who can reopen it (managers of the unit's subtree and admins) so the reply can say so.
 */
export class LockedError extends DomainError {
  override readonly name = 'LockedError';
  readonly unitId: string;
  readonly period: string;
  readonly lockedAt: Date;
  readonly reopeners: Reopener[];
  constructor(
    unit: { id: string; name: string },
    period: string,
    lockedAt: Date,
    reopeners: Reopener[],
  ) {
    super(`${unit.name} ${period} is locked`, 'domain.errors.locked', {
      unit: unit.name,
      period,
      lockedAt: vnDateTimeText(lockedAt),
      reopeners: reopeners.map((r) => r.displayName ?? r.personId).join(', '),
    });
    this.unitId = unit.id;
    this.period = period;
    this.lockedAt = lockedAt;
    this.reopeners = reopeners;
  }
}
