import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../../src/admin/seed.js';
import {
  bareName,
  findUnitByCode,
  localDate,
  parseUnitType,
  searchUnits,
  subtreeIds,
  typeFromName,
} from '../../../src/domain/units/units.js';
import { createTestDb } from '../../helpers/db.js';
import type { TestDb } from '../../helpers/db.js';

describe('unit names and dates', () => {
  it('reads types and strips them from names', () => {
    expect(parseUnitType('Thị trấn')).toBe('thị trấn');
    expect(parseUnitType('Làng')).toBeUndefined();
    expect(typeFromName('Thành phố Hà Tĩnh')).toBe('thành phố');
    expect(typeFromName('Thị xã Kỳ Anh')).toBe('thị xã');
    expect(bareName('Phường Nam Hà')).toBe('Nam Hà');
  });
  it('takes the calendar date in Asia/Ho_Chi_Minh, not UTC', () => {
    // 30/06/2025 18:00 UTC is already 01/07/2025 01:00 in Hà Tĩnh.
    expect(localDate(new Date('2025-06-30T18:00:00Z')).toISOString()).toBe(
      '2025-07-01T00:00:00.000Z',
    );
    expect(localDate(new Date('2025-06-30T16:59:59Z')).toISOString()).toBe(
      '2025-06-30T00:00:00.000Z',
    );
  });
});

describe('unit lookups on the seeded database', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await seed(t.db);
  });
  afterAll(async () => t?.cleanup());

  it('resolves a code to the unit in force at that instant', async () => {
    const now = await findUnitByCode(t.db.prisma, '18100', new Date('2025-11-03T02:00:00Z'));
    expect(now?.name).toBe('Phường Trần Phú');
    const before = await findUnitByCode(t.db.prisma, '18100', new Date('2025-06-30T16:00:00Z'));
    expect(before?.name).toBe('Phường Thạch Hạ');
    // 18:00 UTC on 30/06 is 01/07 local: the new unit.
    const after = await findUnitByCode(t.db.prisma, '18100', new Date('2025-06-30T18:00:00Z'));
    expect(after?.name).toBe('Phường Trần Phú');
    expect(await findUnitByCode(t.db.prisma, '436', new Date('2025-11-03T02:00:00Z'))).toBeNull();
  });

  it('finds units by folded name and by old names', async () => {
    const at = new Date('2025-11-03T02:00:00Z');
    expect((await searchUnits(t.db.prisma, 'thanh sen', at))[0]?.code).toBe('18073');
    // "Nam Hà" was merged into Thành Sen.
    expect((await searchUnits(t.db.prisma, 'Nam Hà', at)).map((u) => u.code)).toContain('18073');
    // The current Trần Phú ward ranks before units that only have "Trần Phú" as an old name.
    expect((await searchUnits(t.db.prisma, 'tran phu', at))[0]?.code).toBe('18100');
  });

  it('lists a subtree from the province down', async () => {
    const province = await findUnitByCode(t.db.prisma, '42', new Date('2025-11-03T02:00:00Z'));
    const ids = await subtreeIds(t.db.prisma, province!.id);
    expect(ids).toHaveLength(1 + 69 + 12 + 210);
  });
});
