/**
 * A small unit tree and indicator set for the people, submissions and reports tests:
 * province 42 with two current wards, a historical unit reusing code 18100, a second
 * province 40 with one commune, and five indicators covering every unit kind and periodicity.
 */
import type { Db } from '../../../src/db/client.js';

export interface Fixture {
  province: string;
  thanhSen: string;
  tranPhu: string;
  oldThachHa: string;
  ngheAn: string;
  vinh: string;
}

const d = (s: string) => new Date(`${s}T00:00:00Z`);

export async function seedFixture(db: Db): Promise<Fixture> {
  const p = db.prisma;
  const from = d('2025-07-01');
  const province = await p.unit.create({
    data: {
      code: '42',
      name: 'Tỉnh Hà Tĩnh',
      type: 'tỉnh',
      level: 'province',
      effectiveFrom: d('2000-01-01'),
      nameFolded: 'tinh ha tinh',
    },
  });
  const thanhSen = await p.unit.create({
    data: {
      code: '18073',
      name: 'Phường Thành Sen',
      type: 'phường',
      level: 'commune',
      parentId: province.id,
      effectiveFrom: from,
      nameFolded: 'phuong thanh sen',
    },
  });
  const tranPhu = await p.unit.create({
    data: {
      code: '18100',
      name: 'Phường Trần Phú',
      type: 'phường',
      level: 'commune',
      parentId: province.id,
      effectiveFrom: from,
      nameFolded: 'phuong tran phu',
    },
  });
  const oldThachHa = await p.unit.create({
    data: {
      code: '18100',
      name: 'Phường Thạch Hạ',
      type: 'phường',
      level: 'commune',
      parentId: province.id,
      effectiveFrom: d('2000-01-01'),
      effectiveTo: d('2025-06-30'),
      nameFolded: 'phuong thach ha',
    },
  });
  const ngheAn = await p.unit.create({
    data: {
      code: '40',
      name: 'Tỉnh Nghệ An',
      type: 'tỉnh',
      level: 'province',
      effectiveFrom: d('2000-01-01'),
      nameFolded: 'tinh nghe an',
    },
  });
  const vinh = await p.unit.create({
    data: {
      code: '16681',
      name: 'Phường Vinh Phú',
      type: 'phường',
      level: 'commune',
      parentId: ngheAn.id,
      effectiveFrom: from,
      nameFolded: 'phuong vinh phu',
    },
  });
  const ind = (
    code: string,
    unit: 'percent' | 'count' | 'boolean',
    periodicity: 'month' | 'quarter' | 'year',
    appliesTo: string[],
    nameVi: string,
  ) =>
    p.indicator.create({
      data: {
        code,
        nameVi,
        nameEn: code,
        unit,
        periodicity,
        appliesTo,
        aliases: [],
        numeratorLabel: unit === 'percent' ? 'Tử' : null,
        denominatorLabel: unit === 'percent' ? 'Mẫu' : null,
      },
    });
  await ind('HSTT', 'percent', 'month', ['commune', 'province'], 'Tỷ lệ hồ sơ trực tuyến');
  await ind('HSCV', 'percent', 'month', ['commune', 'province'], 'Tỷ lệ hồ sơ công việc');
  await ind('KNS', 'percent', 'quarter', ['commune', 'province'], 'Tỷ lệ kỹ năng số');
  await ind('TCNS', 'count', 'quarter', ['commune', 'province'], 'Số thành viên tổ CNS');
  await ind('CNTT', 'boolean', 'year', ['commune', 'province'], 'Có cán bộ CNTT');
  await ind('TTHCTT', 'percent', 'quarter', ['province'], 'TTHC toàn trình');
  const target = (
    indicatorCode: string,
    year: number,
    level: 'commune' | 'province',
    op: string,
    value: number,
  ) => p.indicatorTarget.create({ data: { indicatorCode, year, level, op, value } });
  await target('HSTT', 2025, 'commune', '>', 50);
  await target('HSTT', 2025, 'province', '>', 50);
  await target('HSCV', 2025, 'commune', '>=', 60);
  await target('HSCV', 2030, 'commune', '>=', 85);
  await target('HSCV', 2025, 'province', '>=', 90);
  await target('KNS', 2025, 'commune', '>=', 100);
  await target('CNTT', 2025, 'commune', '>=', 1);
  return {
    province: province.id,
    thanhSen: thanhSen.id,
    tranPhu: tranPhu.id,
    oldThachHa: oldThachHa.id,
    ngheAn: ngheAn.id,
    vinh: vinh.id,
  };
}

/** Link a person directly (as a staff import would) for tests that are not about invitations. */
export async function addPerson(
  db: Db,
  opts: {
    name: string;
    unitId: string;
    role: 'reporter' | 'manager' | 'admin';
    channel?: string;
    externalId?: string;
  },
): Promise<string> {
  const person = await db.prisma.person.create({ data: { displayName: opts.name } });
  await db.prisma.identity.create({
    data: {
      channel: opts.channel ?? 'sim',
      externalId: opts.externalId ?? `ext-${person.id}`,
      personId: person.id,
    },
  });
  await db.prisma.membership.create({
    data: { personId: person.id, unitId: opts.unitId, role: opts.role },
  });
  return person.id;
}

/** A local (Asia/Ho_Chi_Minh) wall-clock instant. */
export function vn(iso: string): Date {
  return new Date(`${iso}+07:00`);
}
