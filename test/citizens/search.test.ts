import { beforeAll, describe, expect, it } from 'vitest';
import { loadProceduresCsv } from '../../src/citizens/catalog-csv.js';
import { loadLexicon } from '../../src/citizens/lexicon-files.js';
import {
  CitizenSearch,
  leadingActions,
  preferredLevel,
  withPairs,
} from '../../src/citizens/search.js';
import { tokenize } from '../../src/citizens/lexicon.js';
import { featureIndex } from '../../src/citizens/rerank.js';
import { matchesUnnegated } from '../../src/citizens/markers.js';
import { hitId, seedSearch } from './helpers.js';

let search: CitizenSearch;
beforeAll(async () => {
  search = await seedSearch();
});

const ids = (q: string): string[] => search.search(q).hits.map(hitId);

describe('CitizenSearch over the seed catalogue', () => {
  it('answers the issue examples with the expected procedure first', () => {
    expect(ids('làm giấy khai sinh online được không')[0]).toBe('1.001193');
    expect(ids('dang ky tam tru')[0]).toBe('1.004194');
    expect(ids('cấp đổi bằng lái xe')[0]).toBe('3.000347');
  });

  it('returns at most three hits, best first', () => {
    const r = search.search('đăng ký kết hôn');
    expect(r.hits.length).toBeGreaterThan(0);
    expect(r.hits.length).toBeLessThanOrEqual(3);
    const scores = r.hits.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('is insensitive to diacritics and to Unicode normalisation form', () => {
    const a = ids('đăng ký thường trú');
    expect(ids('dang ky thuong tru')).toEqual(a);
    expect(ids('đăng ký thường trú'.normalize('NFD'))).toEqual(a);
  });

  it('does not match a diacritised word through its fold when it is another word', () => {
    // "ong mật" (honey bee) folds to "ong mat", like "ông mất" (grandfather died).
    expect(ids('cấp phép nuôi ong mật thử nghiệm')).not.toContain('1.000656');
    // Without diacritics the question is ambiguous and still matches through the fold…
    expect(ids('ong mat')[0]).toBe('1.000656');
    // …and the same words spelt as the rule spells them keep matching.
    expect(ids('ông mất rồi')[0]).toBe('1.000656');
    // "Sở" (a department) is not "sổ" (a register); naming the department is about the level.
    expect(ids('xin bản sao văn bằng tốt nghiệp tại Sở Giáo dục')[0]).toBe('3.000465');
  });

  it('tolerates typos', () => {
    expect(ids('dang ky khai sih')[0]).toBe('1.001193');
    expect(ids('giấy phép lái xee quốc tế')[0]).toBe('3.000353');
  });

  it('maps everyday words through the synonyms file', () => {
    expect(ids('sổ đỏ bị mất')[0]).toBe('1.012786');
    expect(ids('làm cccd')[0]).toBe('1.014061');
    expect(ids('cưới')[0]).toBe('1.000894');
  });

  it('ranks the procedure whose name is the exact phrase above longer variants', () => {
    expect(ids('đăng ký khai tử')[0]).toBe('1.000656');
    expect(ids('đăng ký lại khai tử')[0]).toBe('1.005461');
  });

  it('answers a typed procedure code directly', () => {
    const r = search.search('cho hỏi thủ tục 1.004222');
    expect(r.hits.map(hitId)).toEqual(['1.004222']);
    expect(r.confidence).toBe(1);
  });

  it('prefers the commune-level variant when the question says "ở xã"', () => {
    expect(ids('báo mất hộ chiếu ở xã')[0]).toBe('1.010386');
  });

  it('finds FAQ entries the same way', () => {
    expect(ids('tạo tài khoản dịch vụ công')[0]).toBe('faq:tai-khoan-dvc');
    expect(ids('tra cuu ho so da nop')[0]).toBe('faq:tra-cuu-ho-so');
  });

  it('says nothing was found instead of guessing when confidence is low', () => {
    for (const q of ['thời tiết hôm nay', 'giá vàng hôm nay', 'tôi yêu em', 'xổ số miền bắc']) {
      const r = search.search(q);
      expect(r.hits, q).toEqual([]);
      expect(r.confidence, q).toBeLessThan(0.55);
    }
  });

  it('finds nothing for a question made only of filler words', () => {
    expect(search.search('cho tôi hỏi làm thế nào ạ').hits).toEqual([]);
  });
});

describe('sibling procedures told apart by the qualifiers in their names', () => {
  it('reads a death as context when the question asks for a benefit, as the topic when it asks to record it', () => {
    // Survivors' benefit (tử tuất), not the death registration the death words alone suggest.
    expect(ids('mẹ tôi qua đời, tôi muốn nhận tiền tuất bảo hiểm')[0]).toBe('2.000821');
    // Without a benefit, the same event is the death registration.
    expect(ids('mẹ tôi qua đời, làm giấy chứng tử ở đâu')[0]).toBe('1.000656');
  });

  it('knows every way of saying "died" for the people whose survivors get a benefit', () => {
    // War invalids, sick soldiers and other people with merit: the survivors' allowance…
    expect(ids('bệnh binh từ trần, gia đình xin trợ cấp')[0]).toBe('1.010824');
    expect(ids('người có công hy sinh thì thân nhân được hưởng gì')[0]).toBe('1.010824');
    // …social-insurance contributors: the survivors' benefit (tử tuất).
    expect(ids('người đóng bảo hiểm qua đời, vợ con nhận tiền tuất')[0]).toBe('2.000821');
  });

  it('tells claiming a benefit from how it is collected (by proxy, cash or bank account)', () => {
    // Claiming the survivors' benefit, not the procedures about collecting benefits.
    expect(ids('trợ cấp tuất bảo hiểm xã hội')[0]).toBe('2.000821');
    // Someone else collecting it: the proxy procedure (ủy quyền lĩnh thay).
    expect(ids('nhờ con gái lĩnh hộ lương hưu có được không')[0]).toBe('1.001601');
    // Paid into a bank account instead of cash.
    expect(ids('đổi cách nhận lương hưu từ tiền mặt sang tài khoản ngân hàng')[0]).toBe('2.000740');
  });

  it('tells the periodic review of poor households from a recognition at any time of the year', () => {
    // "định kỳ hằng năm": the yearly review round.
    expect(ids('xét hộ nghèo theo đợt rà soát cuối năm')[0]).toBe('1.011606');
    // "thường xuyên hằng năm": a household hit by something unexpected, outside the round.
    expect(ids('hộ tôi mới gặp hoạn nạn bất ngờ, xin xét hộ nghèo')[0]).toBe('1.011607');
  });

  it('tells residence in the past ("đã cư trú") from residence now ("đang cư trú")', () => {
    expect(
      ids('người nước ngoài trước đây từng sống ở Việt Nam cần phiếu lý lịch tư pháp')[0],
    ).toBe('3.000330');
    expect(ids('người nước ngoài đang sống tại Hà Tĩnh xin lý lịch tư pháp')[0]).toBe('3.000333');
  });

  it('prefers the fully online ("toàn trình") variant when the question is about doing it online', () => {
    expect(ids('đăng ký xe ô tô mới qua mạng')[0]).toBe('1.012575');
    // Without an online channel, the partly online / at-the-counter variant stays first.
    expect(ids('đăng ký xe máy mới mua')[0]).toBe('1.013067');
    expect(ids('thu hồi đăng ký biển số xe nộp trực tiếp')[0]).toBe('1.013123');
  });

  it('reads a nationality as "có yếu tố nước ngoài", the whole variant explained', () => {
    expect(ids('vợ tôi người Ba Lan mới mất ở bệnh viện tỉnh, làm khai tử ở đâu')[0]).toBe(
      '1.001766',
    );
    expect(ids('chồng em quốc tịch Canada, hai đứa muốn đăng ký kết hôn')[0]).toBe('2.000806');
    // "người anh" is a brother, not England.
    expect(ids('người anh trai tôi mới mất, làm khai tử ở đâu')[0]).toBe('1.000656');
  });

  it('tells a marriage or divorce already done abroad (to record here) from one to register', () => {
    expect(ids('kết hôn ở Hàn Quốc rồi, về Việt Nam ghi chú kết hôn ở đâu')[0]).toBe('2.002189');
    expect(ids('ly hôn ở tòa án Mỹ rồi, giờ về nước cần ghi vào sổ hộ tịch')).toContain('2.000554');
  });

  it('ranks by what the question asks, not by what a situation rule wrote into it', () => {
    // "vừa sinh con" ~> "đăng ký khai sinh": the situation, not the request.
    expect(ids('vừa sinh con, đăng ký tạm trú cho con ở nhà trọ')[0]).toBe('1.004194');
  });

  it('does not count a variant the question negates ("không đợi cuối năm")', () => {
    expect(ids('xin công nhận hộ nghèo giữa năm, không đợi cuối năm')[0]).toBe('1.011607');
    expect(ids('đợt rà soát cuối năm, xin vào hộ nghèo')[0]).toBe('1.011606');
    expect(matchesUnnegated(/ cuoi nam /, ' khong doi cuoi nam ')).toBe(false);
    expect(matchesUnnegated(/ cap lai /, ' so goc khong con xin cap lai ')).toBe(true);
  });

  it('reads someone bedridden or an officer sent to the house as "lưu động"', () => {
    expect(ids('ông nằm liệt một chỗ, xã có cử người tới nhà làm khai tử không')[0]).toBe(
      '1.000419',
    );
    expect(ids('bà nội ốm nằm một chỗ, xã cử cán bộ xuống làm khai sinh cho cháu')[0]).toBe(
      '1.003583',
    );
  });

  it('sends land to residential use (thổ cư) to the procedure that needs permission', () => {
    expect(ids('muốn chuyển đất trồng lúa lên đất thổ cư')[0]).toBe('1.013949');
    expect(ids('chuyển mục đích đất trồng lúa sang trồng cây lâu năm không phải xin phép')[0]).toBe(
      '1.013992',
    );
  });
});

describe('names listing actions after a plain one', () => {
  it('finds the variants the list names beside the plain action', () => {
    expect(leadingActions('Thực hiện, điều chỉnh, thôi hưởng trợ cấp hưu trí xã hội')).toBe(
      ' dieu chinh thoi huong ',
    );
    expect(leadingActions('Cấp, cấp lại Giấy phép khai thác thủy sản')).toBe(' cap lai ');
    expect(leadingActions('Thủ tục đăng ký, đăng ký lại, điều chỉnh đóng BHXH tự nguyện')).toBe(
      ' dang ky lai dieu chinh ',
    );
  });

  it('finds none when the name starts with a variant or names no list', () => {
    expect(leadingActions('Cấp lại, đổi, điều chỉnh thông tin trên sổ BHXH, thẻ BHYT')).toBe('');
    expect(leadingActions('Thủ tục đăng ký khai sinh')).toBe('');
    expect(leadingActions('Đăng ký đất đai, tài sản gắn liền với đất')).toBe('');
  });

  it('does not hold a listed variant against a plain question', () => {
    const docOnly = featureIndex('markerDocOnly');
    const plain = search
      .candidates('xin giấy phép khai thác thủy sản cho tàu cá')
      .candidates.find((c) => c.id === 'p:1.004359');
    expect(plain?.features[docOnly]).toBe(0);
  });
});

describe('names written with abbreviations', () => {
  it('are found by the words the abbreviation stands for ("TNLĐ": tai nạn lao động)', () => {
    // 1.001632 "Giải quyết hưởng chế độ TNLĐ, BNN …" names the accident only as "TNLĐ".
    expect(ids('chế độ tai nạn lao động cho công nhân')[0]).toBe('1.001632');
  });
});

describe('the level a question names', () => {
  it('reads "ở xã", "ở phường" as the commune and "ở tỉnh" as the province', () => {
    expect(preferredLevel('làm khai sinh ở xã')).toBe('commune');
    expect(preferredLevel('nộp ở phường nào')).toBe('commune');
    expect(preferredLevel('nộp hồ sơ ở tỉnh')).toBe('province');
    expect(preferredLevel('làm khai sinh cho con')).toBeUndefined();
  });

  it('reads a provincial department ("Sở Tư pháp", "Sở Y tế") as the province', () => {
    expect(preferredLevel('xin lý lịch tư pháp ở Sở Tư pháp')).toBe('province');
    expect(preferredLevel('nộp hồ sơ lên sở y te')).toBe('province');
  });

  it('marks the candidates that are not done at the level the question names', () => {
    const levelMismatch = (q: string, code: string): number | undefined =>
      search.candidates(q).candidates.find((c) => c.id === `p:${code}`)?.features[
        featureIndex('levelMismatch')
      ];
    // Birth registration is a commune procedure; the criminal record certificate a provincial one.
    expect(levelMismatch('làm khai sinh nộp ở tỉnh', '1.001193')).toBe(1);
    expect(levelMismatch('làm khai sinh nộp ở xã', '1.001193')).toBe(0);
    expect(levelMismatch('làm khai sinh cho con', '1.001193')).toBe(0);
  });

  it('does not read "nhà ở xã hội" (social housing) as "ở xã"', () => {
    expect(preferredLevel('thuê nhà ở xã hội')).toBeUndefined();
    expect(preferredLevel('mua nhà ở xã hội nộp ở Sở Xây dựng')).toBe('province');
    expect(preferredLevel('mua nhà ở xã hội, nộp ở xã')).toBe('commune');
  });
});

describe('topics outside the catalogue (outside.txt)', () => {
  it('answers "not in our list" for a sector licence instead of household business registration', () => {
    expect(ids('xin giấy phép kinh doanh rượu')).toEqual([]);
    expect(ids('giay phep kinh doanh van tai hanh khach')).toEqual([]);
    expect(ids('mở quán karaoke')).toEqual([]);
    expect(ids('cấp giấy phép lao động cho người nước ngoài')).toEqual([]);
    expect(ids('xin giấy phép khai thác gỗ')).toEqual([]);
    // The same words without the sector are the household business.
    expect(ids('xin giấy phép kinh doanh')[0]).toBe('1.001612');
  });

  it('does not count a topic named as the purpose of a catalogue procedure', () => {
    expect(search.outsideTopics(' xin ly lich tu phap de xin visa ')).toBe(0);
    expect(search.outsideTopics(' xin visa di han quoc ')).toBe(1);
    expect(ids('xin lý lịch tư pháp để xin visa')[0]).toBe('3.000333');
  });

  it('does not count a topic the question tells as a state ("đang…")', () => {
    expect(search.outsideTopics(' me toi dang duoc huong luong huu nay qua doi ')).toBe(0);
    expect(search.outsideTopics(' xin huong luong huu khi du tuoi ')).toBe(1);
    // "đăng ký" folds to "dang ky": still a request.
    expect(search.outsideTopics(' dang ky huong tro cap that nghiep ')).toBe(1);
  });

  it('covers other sectors: tax, companies, schools, vehicle inspection, war invalids', () => {
    for (const q of [
      'đăng ký thuế cho cửa hàng',
      'thủ tục giải thể công ty',
      'xin giảm học phí',
      'xe tải đi đăng kiểm ở đâu',
      'làm hồ sơ công nhận liệt sĩ',
      'hỏi về tiền điện tháng này',
    ])
      expect(ids(q)).toEqual([]);
  });

  it('ignores a listed phrase that a procedure of the catalogue names', async () => {
    const lexicon = { ...(await loadLexicon()), outsideText: '# chú thích\nkhai sinh\nrượu\n' };
    const own = new CitizenSearch(await loadProceduresCsv(), [], lexicon);
    expect(own.outsideTopics(' dang ky khai sinh ')).toBe(0);
    expect(own.outsideTopics(' ban ruou ')).toBe(1);
    expect(own.search('đăng ký khai sinh').hits[0]).toMatchObject({
      procedure: { code: '1.001193' },
    });
  });
});

describe('a paper named without an action', () => {
  it('lets the rest of the question choose the sibling (damaged: cấp lại)', () => {
    expect(ids('giấy phép xây dựng bị cháy')[0]).toBe('1.013228');
    expect(ids('giấy phép kinh doanh bị rách')[0]).toBe('2.000575');
    expect(ids('khóa tài khoản vneid')[0]).toBe('3.000276');
  });

  it('asks for a new one when the question asks to get it', () => {
    expect(ids('xin giấy phép xây dựng')[0]).toBe('1.013225');
    expect(ids('giấy phép kinh doanh')[0]).toBe('1.001612');
  });

  it('reads someone who cannot come to the office as the "lưu động" variant', () => {
    expect(ids('ông nằm liệt giường muốn đăng ký kết hôn')[0]).toBe('1.000593');
    expect(ids('cán bộ đến tận nhà làm khai sinh cho cháu')[0]).toBe('1.003583');
  });

  it('reads the size of a building as its grade (large: cấp I–II at the province)', () => {
    expect(ids('xin giấy phép xây dựng nhà cao tầng')[0]).toBe('1.013236');
  });

  it('reads a leaked or hacked VNeID account as a request to lock it', () => {
    expect(ids('tài khoản vneid bị hack')[0]).toBe('3.000276');
  });

  it('does not read "cuối tuần" (weekend) written without diacritics as "cưới" (wedding)', () => {
    expect(ids('benh vien nao kham cuoi tuan')).not.toContain('1.000894');
    expect(ids('dam cuoi')[0]).toBe('1.000894');
  });

  it('reads a house put on an existing land certificate as registering an asset on the land', () => {
    expect(ids('ghi nhà vào sổ đỏ')[0]).toBe('1.013995');
    expect(ids('nha xay xong muon dua vao so hong')[0]).toBe('1.013995');
  });
});

describe('everyday words for the less common procedures', () => {
  it('maps a plain description of the situation to the catalogue term', () => {
    expect(ids('nha toi nuoi 1 chau mo coi co duoc ho tro tien khong')[0]).toBe('1.001776');
    expect(ids('muon vay von trong keo lay go')[0]).toBe('1.012531');
    expect(ids('doi ten cua hang kinh doanh')[0]).toBe('2.000720');
    expect(ids('lam bang lai xe di nuoc ngoai')[0]).toBe('3.000353');
    expect(ids('con trai khong muon nhan phan dat thua ke')[0]).toBe('2.001016');
  });

  it('reads animals dying of an epidemic as farm losses, not as a death to record', () => {
    expect(ids('lon cua nha toi bi dich chet het')[0]).toBe('1.013997');
  });

  it('keeps a guardian for an orphan as guardianship, not as a monthly allowance', () => {
    expect(ids('lam giam ho cho chau mo coi')[0]).toBe('1.004837');
  });

  it('does not read unaccented "phương tiện để ở" as "tiền đẻ" (maternity)', () => {
    expect(ids('xac nhan noi dau do phuong tien de o')[0]).toBe('1.013313');
  });

  it('answers "not in our list" for cadastral map extracts', () => {
    expect(ids('xin trich luc ban do dia chinh thua dat')).toEqual([]);
  });
});

describe("the engine's hits summed from its per-term scores", () => {
  it("are MiniSearch's own: ids, scores, order of ties and matched terms", async () => {
    const names = (await loadProceduresCsv()).map((p) => p.name);
    const lists: string[][] = [];
    // Catalogue words only (always the summed path), over one to three names: many ties.
    for (let i = 0; i < names.length; i++) {
      const words = [i, (i * 7 + 3) % names.length, (i * 13 + 5) % names.length]
        .slice(0, 1 + (i % 3))
        .flatMap((k) => withPairs(tokenize(names[k] ?? '')));
      lists.push([...new Set(words)].slice(i % 4, (i % 4) + 12));
    }
    // Questions as the normaliser reads them, typos and unknown words included.
    for (const q of [
      'lam giay khai sinh cho con',
      'xin cap lai so hong bi mat',
      'dang ky kinh doanh',
    ])
      lists.push([...new Set(withPairs(search.normalize(q)))]);
    lists.push(['khai', 'sinhh'], ['dang', 'ky', 'ket', 'hon', 'khaisi']);
    for (const terms of lists) {
      const direct = search.engineSearchDirect(terms);
      expect(search.engineSearch(terms)).toEqual(direct);
      // The first few only: the same, ties at the cut included.
      for (const limit of [1, 3, 25])
        expect(search.engineSearch(terms, limit)).toEqual(direct.slice(0, limit));
    }
    expect(lists.filter((l) => search.engineSearchDirect(l).length > 20).length).toBeGreaterThan(
      50,
    );
  });
});
