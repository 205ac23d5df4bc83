import { describe, expect, test } from "vitest";
import { nationalGazetteer } from "./gazetteer.ts";
import { createAddressLocator } from "./locator.ts";
import { arabise, canonicalText, chineseNumeral, componentNumber, toHalfWidth } from "./normalize.ts";
import { parseRules, spansToEntities } from "./parse.ts";

const g = nationalGazetteer();
const parse = (text: string) =>
  spansToEntities(text, parseRules(text, g).spans).map((e) => `${e.label}:${e.text}`);

describe("the gazetteer", () => {
  test("covers the country down to township level", () => {
    expect(g.size).toBeGreaterThan(40_000);
    const town = g.lookup("东华门街道")[0];
    expect(town && g.chain(town.id).map((d) => d.name)).toEqual(["北京市", "东城区", "东华门街道"]);
  });

  test.each([
    ["浙江", "浙江省"],
    ["延边", "延边朝鲜族自治州"],
    ["延边州", "延边朝鲜族自治州"],
    ["昆区", "昆都仑区"],
    ["义乌", "义乌市"],
  ])("knows %s as a name of %s", (short, full) => {
    expect(g.lookup(short).map((h) => g.nameOf(h.id))).toContain(full);
  });

  test("resolves a region description to its most specific division", () => {
    const id = g.resolveRegion("内蒙古自治区包头市");
    expect(id !== null && g.nameOf(id)).toBe("包头市");
  });
});

describe("normalisation", () => {
  test.each([
    ["三", 3],
    ["十二", 12],
    ["二十", 20],
    ["一百零五", 105],
    ["五零一", 501],
  ])("the Chinese numeral %s is %i", (text, value) => {
    expect(chineseNumeral(text)).toBe(value);
  });

  test("full-width forms become half-width, numerals digits, unit words drop", () => {
    expect(toHalfWidth("３栋Ａ座－１")).toBe("3栋A座-1");
    expect(arabise("三号楼二单元")).toBe("3号楼2单元");
    expect(canonicalText("阳光小区　三期")).toBe("阳光小区3期");
    expect(["3栋", "三号楼", "3幢", "３座"].map(componentNumber)).toEqual(["3", "3", "3", "3"]);
    expect(componentNumber("501室")).toBe("501");
    expect(["301号房", "4层楼", "第5栋"].map(componentNumber)).toEqual(["301", "4", "5"]);
    expect(["10懂", "3号搂", "2号门", "2单", "708房间"].map(componentNumber)).toEqual([
      "10",
      "3",
      "2",
      "2",
      "708",
    ]);
  });
});

describe("the rule parser", () => {
  test.each([
    [
      "浙江省杭州市西湖区文三路100号",
      ["prov:浙江省", "city:杭州市", "district:西湖区", "road:文三路", "roadno:100号"],
    ],
    ["阳光小区3栋2单元501", ["poi:阳光小区", "houseno:3栋", "cellno:2单元", "roomno:501"]],
    ["阳光小区三号楼二单元501室", ["poi:阳光小区", "houseno:三号楼", "cellno:二单元", "roomno:501室"]],
    [
      "阳光花园3-2-501",
      ["poi:阳光花园", "houseno:3", "redundant:-", "cellno:2", "redundant:-", "roomno:501"],
    ],
    ["瑞安市上望镇阳光东路206号", ["district:瑞安市", "town:上望镇", "road:阳光东路", "roadno:206号"]],
    [
      "山东省德州市陵城区边临镇红星村",
      ["prov:山东省", "city:德州市", "district:陵城区", "town:边临镇", "community:红星村"],
    ],
    [
      "中山路与解放路交叉口附近",
      ["road:中山路", "redundant:与", "road:解放路", "intersection:交叉口", "assist:附近"],
    ],
    ["阳光广场C座1391", ["poi:阳光广场", "houseno:C座", "roomno:1391"]],
    ["宁波宁波市鄞州区", ["redundant:宁波", "city:宁波市", "district:鄞州区"]],
    [
      "湖北省襄阳市樊城区高新区富康大道8号",
      ["prov:湖北省", "city:襄阳市", "district:樊城区", "devzone:高新区", "road:富康大道", "roadno:8号"],
    ],
    ["慈溪市杭州湾新区兴慈一路5号", ["district:慈溪市", "devzone:杭州湾新区", "road:兴慈一路", "roadno:5号"]],
    [
      "山东省临沂市临沂高新技术产业开发区马厂湖镇",
      ["prov:山东省", "city:临沂市", "district:临沂高新技术产业开发区", "town:马厂湖镇"],
    ],
    [
      "河北省唐山市路北区建设路5号",
      ["prov:河北省", "city:唐山市", "district:路北区", "road:建设路", "roadno:5号"],
    ],
    ["浙江省台州路桥区阳光路", ["prov:浙江省", "city:台州", "district:路桥区", "road:阳光路"]],
    [
      "建设路1208-12-5-316",
      [
        "road:建设路",
        "roadno:1208",
        "redundant:-",
        "houseno:12",
        "redundant:-",
        "cellno:5",
        "redundant:-",
        "roomno:316",
      ],
    ],
    ["塘下镇新华工业区宏达机械", ["town:塘下镇", "poi:新华工业区", "subpoi:宏达机械"]],
    ["红星超市对面百草药房", ["poi:红星超市", "assist:对面", "subpoi:百草药房"]],
    ["阳光小区3幢1206号", ["poi:阳光小区", "houseno:3幢", "roomno:1206号"]],
    ["阳光小区3幢12号红星理发店", ["poi:阳光小区", "houseno:3幢", "roomno:12号", "subpoi:红星理发店"]],
    ["红星路316-328", ["road:红星路", "roadno:316-328"]],
    ["红星路8-12号", ["road:红星路", "roadno:8-12号"]],
    ["红星路146-3号", ["road:红星路", "roadno:146", "redundant:-", "houseno:3号"]],
    ["红星路27-4阳光超市", ["road:红星路", "roadno:27-4", "poi:阳光超市"]],
    ["红星路4段18号", ["road:红星路4段", "roadno:18号"]],
    ["阳光花园12C2508", ["poi:阳光花园", "houseno:12C", "roomno:2508"]],
    ["阳光小区第5栋2单元", ["poi:阳光小区", "houseno:第5栋", "cellno:2单元"]],
    ["阳光小区3栋第三层", ["poi:阳光小区", "houseno:3栋", "floorno:第三层"]],
    ["阳光府第12号楼", ["poi:阳光府第", "houseno:12号楼"]],
    ["阳光小区4层楼", ["poi:阳光小区", "floorno:4层楼"]],
    ["阳光路12号附3号", ["road:阳光路", "roadno:12号附3号"]],
    ["阳光路3排5号", ["road:阳光路", "roadno:3排", "houseno:5号"]],
    ["红星镇阳光村416", ["town:红星镇", "community:阳光村", "houseno:416"]],
    ["阳光小区3栋301号房", ["poi:阳光小区", "houseno:3栋", "roomno:301号房"]],
    ["阳光路东路8号", ["road:阳光路东路", "roadno:8号"]],
    ["阳光路红星段8号", ["road:阳光路红星段", "roadno:8号"]],
    ["阳光小区3幢12号", ["poi:阳光小区", "houseno:3幢", "cellno:12号"]],
    ["中国浙江省文成县", ["redundant:中国", "prov:浙江省", "district:文成县"]],
    ["浙江省平阳县中国城区", ["prov:浙江省", "district:平阳县", "redundant:中国", "redundant:城区"]],
    ["红星幼儿园东侧", ["poi:红星幼儿园", "assist:东侧"]],
    ["中山路和谐家园3栋", ["road:中山路", "poi:和谐家园", "houseno:3栋"]],
    ["红星华府小区", ["poi:红星华府小区"]],
    ["阳光·城市之光", ["poi:阳光·城市之光"]],
    ["西街百草优品", ["road:西街", "poi:百草优品"]],
    ["文三路一号", ["road:文三路", "roadno:一号"]],
    ["阳光小区3栋东单元501", ["poi:阳光小区", "houseno:3栋", "cellno:东单元", "roomno:501"]],
    ["阳光小区3栋a梯501", ["poi:阳光小区", "houseno:3栋", "cellno:a梯", "roomno:501"]],
    ["阳光小区3栋5楼东户", ["poi:阳光小区", "houseno:3栋", "floorno:5楼", "roomno:东户"]],
    ["阳光小区3栋东门", ["poi:阳光小区", "houseno:3栋", "subpoi:东门"]],
    ["永康市方岩镇下宅村107号", ["district:永康市", "town:方岩镇", "community:下宅村", "houseno:107号"]],
    [
      "建设路与人民路交叉口向东80米红旗超市",
      [
        "road:建设路",
        "redundant:与",
        "road:人民路",
        "intersection:交叉口",
        "assist:向东",
        "assist:80米",
        "poi:红旗超市",
      ],
    ],
    ["阳光小区北200米新华书店", ["poi:阳光小区", "assist:北", "assist:200米", "poi:新华书店"]],
    ["东三环青年公寓", ["road:东三环", "poi:青年公寓"]],
    ["人民路二段18号", ["road:人民路二段", "roadno:18号"]],
    ["胜利街三巷6号", ["road:胜利街", "road:三巷", "roadno:6号"]],
    ["胜利街4巷6号", ["road:胜利街", "road:4巷", "roadno:6号"]],
    ["杭甬线88号", ["road:杭甬线", "roadno:88号"]],
    ["文化路以北阳光小区", ["road:文化路", "assist:以北", "poi:阳光小区"]],
    ["银泰广场5楼星巴克", ["poi:银泰广场", "floorno:5楼", "subpoi:星巴克"]],
    ["阳光小区12栋90##3", ["poi:阳光小区", "houseno:12栋", "roomno:90##3"]],
    ["阳光小区12栋5##b", ["poi:阳光小区", "houseno:12栋", "roomno:5##b"]],
    ["阳光广场12B座1201", ["poi:阳光广场", "houseno:12B座", "roomno:1201"]],
    ["邻水县合流镇合流镇派出所", ["district:邻水县", "town:合流镇", "poi:合流镇派出所"]],
    ["重庆市南岸区重庆阳光大学", ["city:重庆市", "district:南岸区", "poi:重庆阳光大学"]],
    ["广西省百色市隆林县", ["prov:广西省", "city:百色市", "district:隆林县"]],
    ["温州温州瑞安市塘下镇", ["redundant:温州", "city:温州", "district:瑞安市", "town:塘下镇"]],
    ["NULL阳光小区", ["redundant:NULL", "poi:阳光小区"]],
    ["Nanjing路5号", ["road:Nanjing路", "roadno:5号"]],
    [
      "蒙姑镇云南省昭通市巧家县蒙姑镇",
      ["redundant:蒙姑镇", "prov:云南省", "city:昭通市", "district:巧家县", "town:蒙姑镇"],
    ],
    [
      "杭州浙江省杭州市西湖区阳光路",
      ["redundant:杭州", "prov:浙江省", "city:杭州市", "district:西湖区", "road:阳光路"],
    ],
    ["上海上海市浦东新区", ["prov:上海", "city:上海市", "district:浦东新区"]],
    ["建设路66号华光大厦", ["road:建设路", "roadno:66号", "poi:华光大厦"]],
    ["阳光小区3栋门卫室", ["poi:阳光小区", "houseno:3栋", "subpoi:门卫室"]],
    ["新华路264号院", ["road:新华路", "roadno:264号院"]],
    ["阳光新城5号院2号楼", ["poi:阳光新城", "subpoi:5号院", "houseno:2号楼"]],
    ["红星家园2东305", ["poi:红星家园", "houseno:2", "cellno:东", "roomno:305"]],
    ["西园2路5号", ["road:西园2路", "roadno:5号"]],
    ["阳光小区(口腔医院旁)", ["poi:阳光小区", "redundant:(", "poi:口腔医院", "assist:旁", "redundant:)"]],
    ["芦淞区康桥小镇10栋", ["district:芦淞区", "poi:康桥小镇", "houseno:10栋"]],
    ["建设大道红星新区22栋", ["road:建设大道", "poi:红星新区", "houseno:22栋"]],
    ["红星西4巷6号", ["road:红星西4巷", "roadno:6号"]],
    ["红星家园11号楼一门604", ["poi:红星家园", "houseno:11号楼", "cellno:一门", "roomno:604"]],
    ["桥头镇老街", ["town:桥头镇", "road:老街"]],
    ["桥头镇李家庄", ["town:桥头镇", "community:李家庄"]],
    ["东城街道中国和平路5号", ["town:东城街道", "redundant:中国", "road:和平路", "roadno:5号"]],
    ["中国银行", ["poi:中国银行"]],
    [
      "四环至五环之间建设路8号",
      ["road:四环", "redundant:至", "road:五环", "assist:之间", "road:建设路", "roadno:8号"],
    ],
    [
      "阳光花园6一2一305",
      ["poi:阳光花园", "houseno:6", "redundant:一", "cellno:2", "redundant:一", "roomno:305"],
    ],
    ["人民路8一2号", ["road:人民路", "roadno:8", "redundant:一", "houseno:2号"]],
    ["阳光小区3栋34##p##2", ["poi:阳光小区", "houseno:3栋", "roomno:34##p##2"]],
    ["阳光小区5b##80##2", ["poi:阳光小区", "roomno:5b##80##2"]],
    ["华光大厦708房间", ["poi:华光大厦", "roomno:708房间"]],
    [
      "湖北省省直辖县级行政区划仙桃市沙嘴街道省直辖钱沟路5号",
      [
        "prov:湖北省",
        "city:省直辖县级行政区划",
        "district:仙桃市",
        "town:沙嘴街道",
        "redundant:省直辖",
        "road:钱沟路",
        "roadno:5号",
      ],
    ],
    [
      "浙江省杭州市西湖区阳光路街道文三路100号",
      ["prov:浙江省", "city:杭州市", "district:西湖区", "town:阳光路街道", "road:文三路", "roadno:100号"],
    ],
    ["建设大道辅路阳光小区3栋", ["road:建设大道辅路", "poi:阳光小区", "houseno:3栋"]],
    ["张家湾幸福路8号", ["poi:张家湾", "road:幸福路", "roadno:8号"]],
    ["翠竹湾一横路8号", ["road:翠竹湾一横路", "roadno:8号"]],
    [
      "山东省潍坊市高新区阳光路8号",
      ["prov:山东省", "city:潍坊市", "devzone:高新区", "road:阳光路", "roadno:8号"],
    ],
    ["阳光公园北大门电联", ["poi:阳光公园", "subpoi:北大门", "redundant:电联"]],
    ["西直门", ["poi:西直门"]],
    ["梅林镇红星村石板组", ["town:梅林镇", "community:红星村", "group:石板组"]],
    [
      "阳光小区南200米路东红星超市",
      ["poi:阳光小区", "assist:南", "assist:200米", "assist:路东", "poi:红星超市"],
    ],
    [
      "河南省郑州市金水区东风路阳光小区3号楼",
      ["prov:河南省", "city:郑州市", "district:金水区", "road:东风路", "poi:阳光小区", "houseno:3号楼"],
    ],
    ["阳光花园2里9号楼", ["poi:阳光花园", "subpoi:2里", "houseno:9号楼"]],
    ["建设路203小区5号楼", ["road:建设路", "poi:203小区", "houseno:5号楼"]],
    ["阳光小区3组团2号楼", ["poi:阳光小区", "subpoi:3组团", "houseno:2号楼"]],
    ["建设路37号街坊18栋", ["road:建设路", "poi:37号街坊", "houseno:18栋"]],
    ["梅林镇红星村委", ["town:梅林镇", "community:红星村委"]],
    ["梅林镇红星村14队22号", ["town:梅林镇", "community:红星村", "group:14队", "houseno:22号"]],
    ["梅林镇红星村4社", ["town:梅林镇", "community:红星村", "group:4社"]],
    ["阳光9号2号楼1001", ["poi:阳光9号", "houseno:2号楼", "roomno:1001"]],
    ["阳光小区2号2号楼", ["poi:阳光小区", "houseno:2号", "houseno:2号楼"]],
    [
      "浙江省温州市平阳县城红星小区",
      ["prov:浙江省", "city:温州市", "district:平阳县", "redundant:城", "poi:红星小区"],
    ],
    ["湖南省岳阳市平江县城关镇", ["prov:湖南省", "city:岳阳市", "district:平江县", "town:城关镇"]],
    ["梅林镇东工业区阳光一路8号", ["town:梅林镇", "poi:东工业区", "road:阳光一路", "roadno:8号"]],
    ["梅林镇科创园区阳光路8号", ["town:梅林镇", "poi:科创园区", "road:阳光路", "roadno:8号"]],
    ["阳光路乙19号", ["road:阳光路", "roadno:乙19号"]],
    ["阳光路甲八号", ["road:阳光路", "roadno:甲八号"]],
    ["阳光小区(北区)5号楼", ["poi:阳光小区", "redundant:(", "subpoi:北区", "redundant:)", "houseno:5号楼"]],
    ["阳光小区枫林街区6幢", ["poi:阳光小区", "subpoi:枫林街区", "houseno:6幢"]],
    ["阳光小区14街区13号楼", ["poi:阳光小区", "subpoi:14街区", "houseno:13号楼"]],
    [
      "义乌市义乌稠城街道阳光路8号",
      ["district:义乌市", "redundant:义乌", "town:稠城街道", "road:阳光路", "roadno:8号"],
    ],
    [
      "浙江省金华市义乌市金华义乌佛堂镇阳光路8号",
      [
        "prov:浙江省",
        "city:金华市",
        "district:义乌市",
        "redundant:金华",
        "redundant:义乌",
        "town:佛堂镇",
        "road:阳光路",
        "roadno:8号",
      ],
    ],
    [
      "浙江省金华市义乌市金华市义乌市税务局",
      ["prov:浙江省", "city:金华市", "district:义乌市", "poi:金华市义乌市税务局"],
    ],
    [
      "江苏省常州市武进区武进高新区阳光路8号",
      ["prov:江苏省", "city:常州市", "district:武进区", "devzone:武进高新区", "road:阳光路", "roadno:8号"],
    ],
    ["阳光大厦807-811", ["poi:阳光大厦", "roomno:807-811"]],
    ["阳光大厦1220-1221室", ["poi:阳光大厦", "roomno:1220-1221室"]],
    ["阳光小区185-1242", ["poi:阳光小区", "houseno:185", "redundant:-", "roomno:1242"]],
    ["阳光大厦2486D", ["poi:阳光大厦", "roomno:2486D"]],
    ["阳光大厦7C-1106", ["poi:阳光大厦", "houseno:7C", "redundant:-", "roomno:1106"]],
    ["阳光大厦12F", ["poi:阳光大厦", "floorno:12F"]],
    ["阳光小区东单元1502", ["poi:阳光小区", "cellno:东单元", "roomno:1502"]],
    ["阳光小区3-1门301", ["poi:阳光小区", "houseno:3", "redundant:-", "cellno:1门", "roomno:301"]],
    [
      "温州温州市瑞安市塘下镇阳光路8号",
      ["redundant:温州", "city:温州市", "district:瑞安市", "town:塘下镇", "road:阳光路", "roadno:8号"],
    ],
    ["浙江省绍兴县钱清镇", ["prov:浙江省", "district:绍兴县", "town:钱清镇"]],
    ["南昌县莲塘镇", ["district:南昌县", "town:莲塘镇"]],
    [
      "上海市浦东新区浙江省红星镇阳光路8号",
      ["city:上海市", "district:浦东新区", "prov:浙江省", "town:红星镇", "road:阳光路", "roadno:8号"],
    ],
    [
      "建设路与人民路交界东北侧阳光大厦",
      ["road:建设路", "redundant:与", "road:人民路", "intersection:交界", "assist:东北侧", "poi:阳光大厦"],
    ],
    [
      "阳光小区3栋501电联13912345678",
      ["poi:阳光小区", "houseno:3栋", "roomno:501", "redundant:电联", "redundant:13912345678"],
    ],
    ["阳光小区3栋501谢谢", ["poi:阳光小区", "houseno:3栋", "roomno:501", "redundant:谢谢"]],
    ["阳光小区自提", ["poi:阳光小区", "redundant:自提"]],
    ["阳光小区15-4楼", ["poi:阳光小区", "houseno:15", "redundant:-", "floorno:4楼"]],
    [
      "阳光小区5-11-7楼",
      ["poi:阳光小区", "houseno:5", "redundant:-", "cellno:11", "redundant:-", "floorno:7楼"],
    ],
    ["阳光小区10懂2单元", ["poi:阳光小区", "houseno:10懂", "cellno:2单元"]],
    ["阳光小区3号搂", ["poi:阳光小区", "houseno:3号搂"]],
    ["阳光小区12栋2单701", ["poi:阳光小区", "houseno:12栋", "cellno:2单", "roomno:701"]],
    ["阳光小区5号门", ["poi:阳光小区", "subpoi:5号门"]],
    ["阳光小区3号楼2号门701", ["poi:阳光小区", "houseno:3号楼", "cellno:2号门", "roomno:701"]],
    ["阳光小区3号楼5楼西", ["poi:阳光小区", "houseno:3号楼", "floorno:5楼", "assist:西"]],
    [
      "阳光小区3-2-5东户",
      ["poi:阳光小区", "houseno:3", "redundant:-", "cellno:2", "redundant:-", "roomno:5", "roomno:东户"],
    ],
    ["红星超市旁百草药房", ["poi:红星超市", "assist:旁", "subpoi:百草药房"]],
    ["红星超市南面百草药房", ["poi:红星超市", "assist:南面", "subpoi:百草药房"]],
    ["红星超市左手边阳光面馆", ["poi:红星超市", "assist:左手边", "subpoi:阳光面馆"]],
    ["阳光路红星超市到底", ["road:阳光路", "poi:红星超市", "assist:到底"]],
    ["红星中学正对面阳光书店", ["poi:红星中学", "assist:正对面", "subpoi:阳光书店"]],
    ["阳光小区(食堂)", ["poi:阳光小区", "redundant:(", "subpoi:食堂", "redundant:)"]],
    ["红星区阳光国际社区5栋", ["district:红星区", "poi:阳光国际社区", "houseno:5栋"]],
    [
      "北京市朝阳区三环以内阳光小区",
      ["city:北京市", "district:朝阳区", "road:三环", "assist:以内", "poi:阳光小区"],
    ],
    [
      "山东省德州市陵城区边临镇镇上阳光超市",
      ["prov:山东省", "city:德州市", "district:陵城区", "town:边临镇", "redundant:镇上", "poi:阳光超市"],
    ],
    [
      "浙江省杭州市西湖区中国阳光花园3幢",
      ["prov:浙江省", "city:杭州市", "district:西湖区", "redundant:中国", "poi:阳光花园", "houseno:3幢"],
    ],
    [
      "浙江省杭州市西湖区红星城区阳光小区",
      ["prov:浙江省", "city:杭州市", "district:西湖区", "redundant:红星", "redundant:城区", "poi:阳光小区"],
    ],
    [
      "浙江省杭州市西湖区区红星小区",
      ["prov:浙江省", "city:杭州市", "district:西湖区", "redundant:区", "poi:红星小区"],
    ],
    [
      "浙江省文成县县区阳光花园3幢",
      ["prov:浙江省", "district:文成县", "redundant:县区", "poi:阳光花园", "houseno:3幢"],
    ],
    [
      "浙江省文成县县城区阳光花园",
      ["prov:浙江省", "district:文成县", "redundant:县城", "redundant:区", "poi:阳光花园"],
    ],
    [
      "山东省德州市陵城区城城区阳光路8号",
      ["prov:山东省", "city:德州市", "district:陵城区", "redundant:城城区", "road:阳光路", "roadno:8号"],
    ],
    ["浙江省杭州市西湖区区政府", ["prov:浙江省", "city:杭州市", "district:西湖区", "poi:区政府"]],
    ["红星中心医院家属楼", ["poi:红星中心医院家属楼"]],
    ["阳光中心红星超市", ["poi:阳光中心", "subpoi:红星超市"]],
    ["阳光小区3号楼501核", ["poi:阳光小区", "houseno:3号楼", "roomno:501", "redundant:核"]],
    ["阳光小区3号楼501核改", ["poi:阳光小区", "houseno:3号楼", "roomno:501", "redundant:核改"]],
    ["红星花园核", ["poi:红星花园", "redundant:核"]],
    ["核桃路8号", ["road:核桃路", "roadno:8号"]],
    ["红星中核", ["poi:红星中核"]],
    ["阳光小学东南侧", ["poi:阳光小学", "assist:东南侧"]],
    ["阳光名都西南门", ["poi:阳光名都", "subpoi:西南门"]],
    [
      "阳光小区3号楼501(上门换新)",
      ["poi:阳光小区", "houseno:3号楼", "roomno:501", "redundant:(", "redundant:上门换新", "redundant:)"],
    ],
    ["阳光广场(建设中)", ["poi:阳光广场", "redundant:(", "redundant:建设中", "redundant:)"]],
    ["建设中路8号", ["road:建设中路", "roadno:8号"]],
    ["上门村8号", ["community:上门村", "houseno:8号"]],
    [
      "阳光小学西北侧约100米红星花园",
      ["poi:阳光小学", "assist:西北侧", "redundant:约", "assist:100米", "poi:红星花园"],
    ],
    [
      "阳光路与红星路交叉口往东南约200米幸福小区",
      [
        "road:阳光路",
        "redundant:与",
        "road:红星路",
        "intersection:交叉口",
        "assist:往东南",
        "redundant:约",
        "assist:200米",
        "poi:幸福小区",
      ],
    ],
    [
      "山东省德州市陵城区边临镇阳光山庄",
      ["prov:山东省", "city:德州市", "district:陵城区", "town:边临镇", "poi:阳光山庄"],
    ],
    [
      "杭州市西湖区北山街道办事处阳光小区",
      ["city:杭州市", "district:西湖区", "town:北山街道办事处", "poi:阳光小区"],
    ],
    ["杭州市西湖区北山街道办幸福超市", ["city:杭州市", "district:西湖区", "town:北山街道办", "poi:幸福超市"]],
    [
      "山东省德州市陵城区红星办事处幸福村",
      ["prov:山东省", "city:德州市", "district:陵城区", "town:红星办事处", "community:幸福村"],
    ],
    ["阳光大厦右边", ["poi:阳光大厦", "assist:右边"]],
    ["阳光加油站后", ["poi:阳光加油站", "assist:后"]],
    ["红星县县城内幸福路8号", ["district:红星县", "assist:县城内", "road:幸福路", "roadno:8号"]],
    [
      "天津市河西区全境阳光里3号楼",
      ["city:天津市", "district:河西区", "assist:全境", "poi:阳光里", "houseno:3号楼"],
    ],
    ["阳光加油站内宏达汽修", ["poi:阳光加油站", "assist:内", "subpoi:宏达汽修"]],
    ["建设路8号后面百草药房", ["road:建设路", "roadno:8号", "assist:后面", "poi:百草药房"]],
    ["内环路8号", ["road:内环路", "roadno:8号"]],
    [
      "成都市武侯区武侯区红牌楼街道",
      ["city:成都市", "district:武侯区", "redundant:武侯区", "town:红牌楼街道"],
    ],
    ["杭州市萧山区萧山区阳光公寓", ["city:杭州市", "district:萧山区", "redundant:萧山区", "poi:阳光公寓"]],
    [
      "阳光小区3栋501(请提前打电话)",
      ["poi:阳光小区", "houseno:3栋", "roomno:501", "redundant:(", "redundant:请提前打电话", "redundant:)"],
    ],
    ["阳光小区3栋有疑问请联系", ["poi:阳光小区", "houseno:3栋", "redundant:有疑问请联系"]],
    ["阳光小区3栋或联系", ["poi:阳光小区", "houseno:3栋", "redundant:或联系"]],
    ["阳光电话局", ["poi:阳光电话局"]],
    [
      "朝阳区三环到四环之间阳光小区",
      ["district:朝阳区", "road:三环", "redundant:到", "road:四环", "assist:之间", "poi:阳光小区"],
    ],
    ["建设路到了电联", ["road:建设路", "redundant:到了电联"]],
    ["阳光花园三街21号楼", ["poi:阳光花园", "road:三街", "houseno:21号楼"]],
    ["东园一街6号", ["road:东园一街", "roadno:6号"]],
    ["新园三路5号", ["road:新园三路", "roadno:5号"]],
    ["阳光北苑3栋", ["poi:阳光北苑", "houseno:3栋"]],
    ["阳光东区3栋", ["poi:阳光", "subpoi:东区", "houseno:3栋"]],
    ["阳光花园北苑3栋", ["poi:阳光花园", "subpoi:北苑", "houseno:3栋"]],
    ["红星镇中心小学", ["town:红星镇", "poi:中心小学"]],
    ["阳光中心医院3楼", ["poi:阳光中心医院", "floorno:3楼"]],
    ["阳光中学家属院6号楼", ["poi:阳光中学家属院", "houseno:6号楼"]],
    ["红星镇红星镇综合市场", ["town:红星镇", "poi:红星镇综合市场"]],
    ["红星镇红星镇阳光村", ["redundant:红星镇", "town:红星镇", "community:阳光村"]],
    ["红星镇内河码头", ["town:红星镇", "poi:内河码头"]],
    ["红星镇东岙阳光北路602号", ["town:红星镇", "village:东岙", "road:阳光北路", "roadno:602号"]],
    [
      "阳光商贸城二区三楼5街21003",
      ["poi:阳光商贸城", "subpoi:二区", "floorno:三楼", "cellno:5街", "roomno:21003"],
    ],
    ["阳光市场C3区9街3106", ["poi:阳光市场", "subpoi:C3区", "cellno:9街", "roomno:3106"]],
    ["阳光新村春华5街19号", ["poi:阳光新村", "road:春华5街", "roadno:19号"]],
    ["阳光路二区71号", ["road:阳光路", "poi:二区", "houseno:71号"]],
    ["阳光花园二区71号", ["poi:阳光花园", "subpoi:二区", "houseno:71号"]],
    ["阳光雅苑南门百草药房", ["poi:阳光雅苑", "subpoi:南门", "subpoi:百草药房"]],
    ["红星工业园西区阳光路8号", ["poi:红星工业园", "subpoi:西区", "road:阳光路", "roadno:8号"]],
    ["红星镇东区大道8号", ["town:红星镇", "road:东区大道", "roadno:8号"]],
    ["红星镇阳光村12栋402", ["town:红星镇", "poi:阳光村", "houseno:12栋", "roomno:402"]],
    ["红星镇阳光村12号", ["town:红星镇", "community:阳光村", "houseno:12号"]],
    ["阳光路口红星苑2栋", ["road:阳光路", "intersection:口", "poi:红星苑", "houseno:2栋"]],
    ["阳光路红星路口", ["road:阳光路", "road:红星路", "intersection:口"]],
    ["阳光路与红星路口", ["road:阳光路", "redundant:与", "road:红星路", "intersection:口"]],
    ["阳光路口", ["poi:阳光路口"]],
    ["阳光小区3#", ["poi:阳光小区", "houseno:3#"]],
    ["红星村第三组12号", ["community:红星村", "group:第三组", "houseno:12号"]],
    ["阳光小区3栋501#", ["poi:阳光小区", "houseno:3栋", "roomno:501#"]],
    ["阳光路阳光小学岔路口", ["road:阳光路", "poi:阳光小学", "subpoi:岔路口"]],
    ["红星镇路口村", ["town:红星镇", "community:路口村"]],
    ["京沪高速阳光悦府12号楼", ["road:京沪高速", "poi:阳光悦府", "houseno:12号楼"]],
    ["派出所对过阳光面馆", ["poi:派出所", "assist:对过", "subpoi:阳光面馆"]],
    ["阳光啤酒有限公司灌装车间", ["poi:阳光啤酒有限公司", "subpoi:灌装车间"]],
    ["阳光花园b##3号楼503", ["poi:阳光花园", "houseno:b##3号楼", "roomno:503"]],
    ["潍坊市奎文区北苑街办阳光村", ["city:潍坊市", "district:奎文区", "town:北苑街办", "community:阳光村"]],
    ["阳光街办事处解放大道88号", ["town:阳光街办事处", "road:解放大道", "roadno:88号"]],
    ["遵义市红花岗区地区阳光华府", ["city:遵义市", "district:红花岗区", "redundant:地区", "poi:阳光华府"]],
    ["西安市碑林区全区域阳光花园", ["city:西安市", "district:碑林区", "redundant:全区域", "poi:阳光花园"]],
    ["阳光路西北侧红星花园", ["road:阳光路", "assist:西北侧", "poi:红星花园"]],
    ["阳光广场西侧百草药房", ["poi:阳光广场", "assist:西侧", "subpoi:百草药房"]],
    ["红星镇西街电联", ["town:红星镇", "road:西街", "redundant:电联"]],
    ["阳光村东片区四街14号", ["community:阳光村", "poi:东片区", "road:四街", "roadno:14号"]],
    ["阳光村三区12巷6号", ["community:阳光村", "poi:三区", "road:12巷", "roadno:6号"]],
    ["阳光广场10楼百草药房4052号", ["poi:阳光广场", "floorno:10楼", "subpoi:百草药房", "roomno:4052号"]],
    ["建设东街红星200小区", ["road:建设东街", "poi:红星200小区"]],
    ["红星山一号小区1208", ["poi:红星山一号小区", "roomno:1208"]],
    ["阳光小区203小区", ["poi:阳光小区", "subpoi:203小区"]],
    [
      "建设路与人民路交叉口路北阳光口腔",
      ["road:建设路", "redundant:与", "road:人民路", "intersection:交叉口", "assist:路北", "poi:阳光口腔"],
    ],
    ["温州市高新园区阳一路8号", ["city:温州市", "devzone:高新园区", "road:阳一路", "roadno:8号"]],
    ["温州市红星高新园区阳光路8号", ["city:温州市", "devzone:红星高新园区", "road:阳光路", "roadno:8号"]],
    ["红星镇阳光科技园区西园路8号", ["town:红星镇", "poi:阳光科技园区", "road:西园路", "roadno:8号"]],
    ["北京市西直门大街8号", ["city:北京市", "road:西直门大街", "roadno:8号"]],
    ["红星镇阳光商业街", ["town:红星镇", "road:阳光商业街"]],
    ["红星镇汽车南站南站路8号", ["town:红星镇", "poi:汽车南站", "road:南站路", "roadno:8号"]],
    // 乔司 and 临平 were townships of 余杭区 until 2021, now of 临平区 in the same city.
    ["杭州市余杭区乔司阳光村", ["city:杭州市", "district:余杭区", "town:乔司", "community:阳光村"]],
    [
      "杭州市余杭区临平阳光路8号",
      ["city:杭州市", "district:余杭区", "town:临平", "road:阳光路", "roadno:8号"],
    ],
    ["杭州市余杭区乔司阳光小区", ["city:杭州市", "district:余杭区", "poi:乔司阳光小区"]],
    ["阳光路5号院内东栋3楼", ["road:阳光路", "roadno:5号院", "assist:内", "poi:东栋", "floorno:3楼"]],
    // A city or county written again before a zone named by its kind alone names that zone.
    [
      "湖南省株洲市芦淞区建宁街道株洲市高新区阳光路8号",
      [
        "prov:湖南省",
        "city:株洲市",
        "district:芦淞区",
        "town:建宁街道",
        "devzone:株洲市高新区",
        "road:阳光路",
        "roadno:8号",
      ],
    ],
    [
      "江西省九江市瑞昌市瑞昌市经济开发区红星花园3栋",
      [
        "prov:江西省",
        "city:九江市",
        "district:瑞昌市",
        "devzone:瑞昌市经济开发区",
        "poi:红星花园",
        "houseno:3栋",
      ],
    ],
    // A compass side between a road or a compound and its number says on which side, not a name.
    ["红星镇阳光路北8号", ["town:红星镇", "road:阳光路", "assist:北", "roadno:8号"]],
    ["建设大道东12号百草药房", ["road:建设大道", "assist:东", "roadno:12号", "poi:百草药房"]],
    ["建设路南6巷3号", ["road:建设路", "assist:南", "road:6巷", "roadno:3号"]],
    ["阳光路北1路5号", ["road:阳光路", "road:北1路", "roadno:5号"]],
    ["阳光新村东12幢", ["poi:阳光新村", "assist:东", "houseno:12幢"]],
    ["红星苑北3号楼", ["poi:红星苑", "assist:北", "houseno:3号楼"]],
    // Two numbers joined by a dash before a building word number one building.
    ["阳光小区5-3幢1702", ["poi:阳光小区", "houseno:5-3幢", "roomno:1702"]],
    ["阳光小区41-7号楼2单元902", ["poi:阳光小区", "houseno:41-7号楼", "cellno:2单元", "roomno:902"]],
    ["阳光路9-14幢", ["road:阳光路", "roadno:9", "redundant:-", "houseno:14幢"]],
    // A number in Chinese numerals after a name without a compound word, before another part, ends the name.
    ["阳光一号红星阁2栋", ["poi:阳光一号", "subpoi:红星阁", "houseno:2栋"]],
    ["红星九号3期8栋", ["poi:红星九号", "subpoi:3期", "houseno:8栋"]],
    ["红星花园一号", ["poi:红星花园", "houseno:一号"]],
    ["阳光路8号小院一号", ["road:阳光路", "roadno:8号", "poi:小院", "houseno:一号"]],
    // A street named by one character: after a village too, and with any stem before its number.
    ["红星镇阳光村西巷63号", ["town:红星镇", "community:阳光村", "road:西巷", "roadno:63号"]],
    ["阳光村东街百草药房", ["community:阳光村", "road:东街", "poi:百草药房"]],
    ["红星镇柳巷23号", ["town:红星镇", "road:柳巷", "roadno:23号"]],
    ["红星镇上街", ["town:红星镇", "road:上街"]],
    // The code list names some townships after their county (博爱县许良镇): written out, county + township.
    [
      "河南省焦作市博爱县许良镇阳光村",
      ["prov:河南省", "city:焦作市", "district:博爱县", "town:许良镇", "community:阳光村"],
    ],
    // After 中国, the divisions already read written again down to the last one repeat the address's own.
    [
      "福建省宁德市福鼎市中国宁德市福鼎市城区",
      ["prov:福建省", "city:宁德市", "district:福鼎市", "redundant:中国宁德市福鼎市", "redundant:城区"],
    ],
    [
      "福建省宁德市福鼎市中国福鼎市阳光路8号",
      ["prov:福建省", "city:宁德市", "district:福鼎市", "redundant:中国福鼎市", "road:阳光路", "roadno:8号"],
    ],
    [
      "福建省宁德市福鼎市中国福鼎市体育馆",
      ["prov:福建省", "city:宁德市", "district:福鼎市", "redundant:中国", "poi:福鼎市体育馆"],
    ],
    // A place named after a township written twice ends at its own ending; a road or village may follow.
    ["红星镇红星镇人民政府阳光路8号", ["town:红星镇", "poi:红星镇人民政府", "road:阳光路", "roadno:8号"]],
    ["红星镇红星镇中心小学旁阳光村", ["town:红星镇", "poi:红星镇中心小学", "assist:旁", "community:阳光村"]],
    // A campus is part of its school's name; staff flats (家属楼) of a hospital or school too.
    ["阳光大学红星校区百草园3号楼", ["poi:阳光大学红星校区", "subpoi:百草园", "houseno:3号楼"]],
    ["阳光中学新校区", ["poi:阳光中学新校区"]],
    ["阳光医院家属楼3单元", ["poi:阳光医院家属楼", "cellno:3单元"]],
    // A compass side (or its end, 头) after a road or a village says where along it.
    ["阳光小区(建设路西)", ["poi:阳光小区", "redundant:(", "road:建设路", "assist:西", "redundant:)"]],
    ["红星镇阳光村南头", ["town:红星镇", "community:阳光村", "assist:南头"]],
    ["阳光路南头29号", ["road:阳光路", "assist:南头", "roadno:29号"]],
    ["阳光街北1路红星花园", ["road:阳光街", "road:北1路", "poi:红星花园"]],
    // A numbered plot or works building right after a compound is a part of it.
    ["阳光针织厂7号厂房", ["poi:阳光针织厂", "subpoi:7号厂房"]],
    ["阳光家园3号地16号楼", ["poi:阳光家园", "subpoi:3号地", "houseno:16号楼"]],
    ["阳光路8号仓库", ["road:阳光路", "roadno:8号", "poi:仓库"]],
    // 城区 ("in town") after a zone, a township or a road, before a name, is not part of that name.
    ["红星开发区城区阳光路8号", ["devzone:红星开发区", "redundant:城区", "road:阳光路", "roadno:8号"]],
    ["阳光路城区建设南路6号", ["road:阳光路", "redundant:城区", "road:建设南路", "roadno:6号"]],
    // A township named just before its village: a one-character stem, a road word in it, a second township.
    ["阳光县梅镇红星村", ["district:阳光县", "town:梅镇", "community:红星村"]],
    ["阳光县大街镇红星村", ["district:阳光县", "town:大街镇", "community:红星村"]],
    ["红星镇阳光乡白沙村12号", ["town:红星镇", "town:阳光乡", "community:白沙村", "houseno:12号"]],
    ["红星镇阳光乡白沙村杏树组", ["town:红星镇", "town:阳光乡", "community:白沙村", "group:杏树组"]],
    ["阳光县梅镇红星村百草药房", ["district:阳光县", "town:梅镇", "community:红星村", "poi:百草药房"]],
    // A village with a numbered section of buildings is a compound, the section a part of it.
    ["红星镇阳光村三区15栋", ["town:红星镇", "poi:阳光村", "subpoi:三区", "houseno:15栋"]],
    ["红星镇阳光村三区15号", ["town:红星镇", "community:阳光村", "poi:三区", "houseno:15号"]],
    // A short division name before a generic institution word names the institution (its township's school).
    ["浙江省宁波市余姚市大岚中心小学", ["prov:浙江省", "city:宁波市", "district:余姚市", "poi:大岚中心小学"]],
    ["浙江省宁波市余姚市大岚派出所", ["prov:浙江省", "city:宁波市", "district:余姚市", "poi:大岚派出所"]],
    // A compound's sales office, management office, gatehouse or parcel point is a part of it.
    ["阳光郡售楼处", ["poi:阳光郡", "subpoi:售楼处"]],
    ["红星苑物业", ["poi:红星苑", "subpoi:物业"]],
    ["红星物业", ["poi:红星物业"]],
    ["阳光花园菜鸟驿站", ["poi:阳光花园", "subpoi:菜鸟驿站"]],
    // A numbered row of houses before its numbers is numbered like a building.
    ["红星镇阳光村4排9号", ["town:红星镇", "community:阳光村", "houseno:4排", "cellno:9号"]],
    ["阳光小区3排", ["poi:阳光小区", "subpoi:3排"]],
    // N号楼 after a building and before a flat number is the floor; before a unit or a floor, a building.
    ["阳光小区11幢6号楼905", ["poi:阳光小区", "houseno:11幢", "floorno:6号楼", "roomno:905"]],
    ["阳光小区11幢6号楼2单元", ["poi:阳光小区", "houseno:11幢", "houseno:6号楼", "cellno:2单元"]],
    // A village named right after another is a natural village of the administrative one.
    ["红星镇阳光村白沙村", ["town:红星镇", "community:阳光村", "village:白沙村"]],
    ["红星镇阳光社区白沙村12号", ["town:红星镇", "community:阳光社区", "village:白沙村", "houseno:12号"]],
    ["红星镇阳光社区阳光村", ["town:红星镇", "community:阳光社区", "community:阳光村"]],
    // A name without a place word before a numbered villagers' group is its village, written without 村.
    ["红星镇阳光3组12号", ["town:红星镇", "community:阳光", "group:3组", "houseno:12号"]],
    ["阳光小区3组", ["poi:阳光小区", "group:3组"]],
    // 之 and a numeral after a number mark a sub-number ("the third of number 12"), not a place; 之江 is a name.
    ["阳光路12号之三", ["road:阳光路", "roadno:12号", "redundant:之三"]],
    ["阳光路12号之一3栋", ["road:阳光路", "roadno:12号", "redundant:之一", "houseno:3栋"]],
    ["阳光路12号之江花园", ["road:阳光路", "roadno:12号", "poi:之江花园"]],
    // 楼上 ("upstairs of") and 背后 ("behind") say where near the place, like 楼下 and 后面.
    ["百草药房楼上4楼", ["poi:百草药房", "assist:楼上", "floorno:4楼"]],
    ["百草药房背后阳光面馆", ["poi:百草药房", "assist:背后", "subpoi:阳光面馆"]],
    ["红星楼上海路8号", ["poi:红星楼", "road:上海路", "roadno:8号"]],
    // 街上 ("on the village's street") after a township or village, and 沿街 ("along the street"), are assist.
    ["红星镇阳光村街上", ["town:红星镇", "community:阳光村", "assist:街上"]],
    ["阳光小区沿街百草药房", ["poi:阳光小区", "assist:沿街", "subpoi:百草药房"]],
    // The reception desk named last says where in the place (a note for the courier), not a part of it.
    ["阳光大酒店前台", ["poi:阳光大酒店", "assist:前台"]],
    ["阳光舞台", ["poi:阳光舞台"]],
    // A heavenly stem beside a building number is part of the building (3栋甲 is not 3栋, nor a unit).
    ["阳光小区3栋甲501", ["poi:阳光小区", "houseno:3栋甲", "roomno:501"]],
    ["阳光小区甲3栋501", ["poi:阳光小区", "houseno:甲3栋", "roomno:501"]],
    ["阳光小区3栋甲单元501", ["poi:阳光小区", "houseno:3栋", "cellno:甲单元", "roomno:501"]],
    // # is 号 typed short (3#楼 = 3号楼); ## inside a number is the export's mask.
    ["阳光小区3#楼", ["poi:阳光小区", "houseno:3#楼"]],
    ["阳光小区3#2单元501", ["poi:阳光小区", "houseno:3#", "cellno:2单元", "roomno:501"]],
    ["阳光小区90##3号楼", ["poi:阳光小区", "houseno:90##3号楼"]],
    // A basement level is a floor (B1 = 负一层 = 地下一层), a flat number spelt digit by digit a room,
    // and 门口 / 楼下 after a flat number fillers (not entrance 501, floor 501).
    ["阳光小区3栋B1", ["poi:阳光小区", "houseno:3栋", "floorno:B1"]],
    ["阳光小区3栋地下一层", ["poi:阳光小区", "houseno:3栋", "floorno:地下一层"]],
    ["阳光商场地下2楼", ["poi:阳光商场", "floorno:地下2楼"]],
    ["阳光小区3栋2单元五零一", ["poi:阳光小区", "houseno:3栋", "cellno:2单元", "roomno:五零一"]],
    ["阳光小区3栋2单元501门口", ["poi:阳光小区", "houseno:3栋", "cellno:2单元", "roomno:501", "assist:门口"]],
    ["阳光小区3栋2单元501楼下", ["poi:阳光小区", "houseno:3栋", "cellno:2单元", "roomno:501", "assist:楼下"]],
    ["阳光小区3栋2单元5楼", ["poi:阳光小区", "houseno:3栋", "cellno:2单元", "floorno:5楼"]],
    // 附1号 after a compound is its annex number (附一医院 stays a name); 号楼下 after a road is the
    // number on it and a filler; a dashed sub-number after 之 is one number.
    ["阳光小区附1号", ["poi:阳光小区", "houseno:附1号"]],
    ["阳光附一医院", ["poi:阳光附一医院"]],
    ["红星路12号楼下", ["road:红星路", "roadno:12号", "assist:楼下"]],
    ["红星路27之3-6号", ["road:红星路", "roadno:27", "redundant:之", "houseno:3-6号"]],
    // A township made a street office, written with its old 镇 before 街道, is one township.
    [
      "浙江省杭州市西湖区转塘镇街道阳光小区",
      ["prov:浙江省", "city:杭州市", "district:西湖区", "town:转塘镇街道", "poi:阳光小区"],
    ],
    [
      "浙江省杭州市西湖区红星镇街道办事处",
      ["prov:浙江省", "city:杭州市", "district:西湖区", "town:红星镇街道办事处"],
    ],
    ["红星县阳光镇街道红星村", ["district:红星县", "town:阳光镇街道", "community:红星村"]],
    // A shop's or stall's number with its word is one number, the room's (not after a building alone).
    ["阳光市场A区6409店", ["poi:阳光市场", "subpoi:A区", "roomno:6409店"]],
    ["阳光广场3楼12号铺", ["poi:阳光广场", "floorno:3楼", "roomno:12号铺"]],
    ["阳光小区3栋1号店", ["poi:阳光小区", "houseno:3栋", "roomno:1号店"]],
    ["阳光小区3栋店", ["poi:阳光小区", "houseno:3栋", "subpoi:店"]],
    // An autonomous prefecture written as its stem and 州.
    ["云南省怒江州泸水县六库镇", ["prov:云南省", "city:怒江州", "district:泸水县", "town:六库镇"]],
    // A township's office 街办事处 (街 + 办事处) is one township, written after its name.
    [
      "浙江省杭州市西湖区红星街办事处阳光小区",
      ["prov:浙江省", "city:杭州市", "district:西湖区", "town:红星街办事处", "poi:阳光小区"],
    ],
    // A township named by its stem right after its city, the county left out.
    ["杭州市三墩阳光小区3幢", ["city:杭州市", "town:三墩", "poi:阳光小区", "houseno:3幢"]],
    // The code list's placeholder 市辖区 before a real district names no place; alone it stays the level.
    [
      "上海市-市辖区-黄浦区红星路8号",
      [
        "city:上海市",
        "redundant:-",
        "redundant:市辖区",
        "redundant:-",
        "district:黄浦区",
        "road:红星路",
        "roadno:8号",
      ],
    ],
    ["甘肃省嘉峪关市市辖区阳光小区", ["prov:甘肃省", "city:嘉峪关市", "district:市辖区", "poi:阳光小区"]],
    // An industrial park, a court, a prison or a metro station named first, then a place inside or by it.
    ["红星镇工业园区百草超市", ["town:红星镇", "poi:工业园区", "subpoi:百草超市"]],
    ["红星区人民法院阳光法庭", ["district:红星区", "poi:人民法院", "subpoi:阳光法庭"]],
    ["红星监狱三监区", ["poi:红星监狱", "subpoi:三监区"]],
    ["红星地铁站阳光花园", ["poi:红星地铁站", "subpoi:阳光花园"]],
    ["红星师范东校区阳光公寓", ["poi:红星师范东校区", "subpoi:阳光公寓"]],
    ["红星大酒店阳光厅", ["poi:红星大酒店", "subpoi:阳光厅"]],
    ["阳光商场百草超市", ["poi:阳光商场", "subpoi:百草超市"]],
    ["红星派出所阳光警务室", ["poi:红星派出所", "subpoi:阳光警务室"]],
    ["阳光软件园红星大厦", ["poi:阳光软件园", "subpoi:红星大厦"]],
  ])("splits %s", (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  test("a compound before 路口 is not read as a road", () => {
    expect(parse("阳光批发市场路口百草药房")).not.toContain("road:阳光批发市场路");
  });

  test("a note to the courier never swallows the road after it", () => {
    expect(parse("麻烦送到阳光路8号").slice(-2)).toEqual(["road:阳光路", "roadno:8号"]);
  });

  test("a number after a name ending in a road word is a number on that road", () => {
    expect(parse("红星镇幸福东段8号").at(-1)).toBe("roadno:8号");
    expect(parse("红星镇幸福东段8").at(-1)).toBe("roadno:8");
  });

  test("号房 numbers a room, but not before 房管所 or 房东", () => {
    expect(parse("阳光路5号房管所")).toContain("roadno:5号");
    expect(parse("阳光路5号房东")).toContain("roadno:5号");
  });

  test("a road named by its number with 号 does not take the name before it", () => {
    expect(parse("红星9号大街").at(-1)).toBe("road:9号大街");
    expect(parse("西园2路").at(-1)).toBe("road:西园2路");
  });

  test("entities always cover the input in order, whatever it is", () => {
    for (const text of [
      "",
      "  ",
      "??？",
      "abc",
      "1-2-3-4-5",
      "北京市北京市北京市",
      "门口附近",
      "X路Y号Z栋",
      "0",
      "第三",
    ]) {
      expect(
        parse(text)
          .map((e) => e.slice(e.indexOf(":") + 1))
          .join(""),
      ).toBe(text);
    }
  });

  test("completes missing upper levels from the gazetteer, inside the region first", () => {
    const inBaotou = createAddressLocator({ region: "包头市" }).analyse("昆区钢铁大街12号").admin;
    expect(inBaotou).toMatchObject({
      prov: "内蒙古自治区",
      city: "包头市",
      district: "昆都仑区",
      completed: true,
    });
    expect(createAddressLocator({ region: "长春市" }).analyse("朝阳区人民大街1号").admin?.city).toBe(
      "长春市",
    );
    expect(createAddressLocator({ region: "北京市" }).analyse("朝阳区人民大街1号").admin?.city).toBe(
      "北京市",
    );
  });
});

describe("names that are no places", () => {
  test.each([
    ["红星镇阳光村张先生13912345678", "redundant:张先生"],
    ["阳光路8号李明亮15800001111", "redundant:李明亮"],
    ["阳光小区3栋501王芳收13812345678", "redundant:王芳收"],
  ])("the contact's name before a mobile number in %s is not a place", (text, name) => {
    expect(parse(text)).toContain(name);
  });

  test("a place's name of four characters or more before a mobile number stays a place", () => {
    expect(parse("红星镇阳光村百草超市13912345678")).toContain("poi:百草超市");
  });
});

describe("townships after a county the gazetteer lacks", () => {
  // 江干区 (Hangzhou) and 江东区 (Ningbo) were merged into other districts: read by their suffix, they
  // leave the city as the division their townships are looked for in.
  test.each([
    ["浙江省杭州市江干区九堡阳光路8号", ["town:九堡", "road:阳光路", "roadno:8号"]],
    ["杭州市江干区下沙红星花园3栋", ["town:下沙", "poi:红星花园", "houseno:3栋"]],
  ])("a township named by its stem after the merged county in %s is the township", (text, tail) => {
    expect(parse(text).slice(-3)).toEqual(tail);
  });

  test.each([
    ["杭州市江干区九堡新城3栋", "poi:九堡新城"],
    ["宁波市江东区东柳塘村8号", "community:东柳塘村"],
  ])("a stem that would cut a name is not read in %s", (text, name) => {
    expect(parse(text)).toContain(name);
  });
});

describe("an industrial park named after a division written twice", () => {
  test.each([
    [
      "浙江省湖州市安吉县递铺街道递铺街道工业园阳光路8号",
      ["town:递铺街道", "devzone:递铺街道工业园", "road:阳光路", "roadno:8号"],
    ],
    [
      "浙江省湖州市德清县德清县工业园区百草超市",
      ["district:德清县", "devzone:德清县工业园区", "poi:百草超市"],
    ],
    [
      "浙江省湖州市德清县德清县工业园区德清县工业园区红星路",
      ["district:德清县", "devzone:德清县工业园区", "devzone:德清县工业园区", "road:红星路"],
    ],
  ])("in %s is one zone, the division's", (text, tail) => {
    expect(parse(text).slice(-tail.length)).toEqual(tail);
  });

  test("a park named after a city read earlier, not written twice in a row, stays a compound", () => {
    expect(parse("浙江省湖州市吴兴区八里店镇湖州工业园阳光路")).toContain("poi:湖州工业园");
  });

  test("a township written twice before a zone word is not read as the zone's name", () => {
    expect(parse("浙江省湖州市安吉县递铺街道递铺街道开发区")).not.toContain("devzone:递铺街道开发区");
  });
});

describe("the ground floor", () => {
  test.each([
    ["红星镇阳光苑首层", ["poi:阳光苑", "floorno:首层"]],
    ["阳光路8号红星大厦首层百草药房", ["poi:红星大厦", "floorno:首层", "subpoi:百草药房"]],
  ])("首层 in %s is a floor", (text, part) => {
    const parsed = parse(text);
    const at = parsed.indexOf(part[0] as string);
    expect(parsed.slice(at, at + part.length)).toEqual(part);
  });
});

describe("numbered streets written 道街", () => {
  test.each([
    ["红星镇西二道街阳光小区3号楼", ["road:西二道街", "poi:阳光小区"]],
    ["红星镇北十九道街26号", ["road:北十九道街", "roadno:26号"]],
  ])("%s names one road", (text, part) => {
    expect(parse(text).slice(1, 3)).toEqual(part);
  });
});

describe("estates named X城印象, X城国际", () => {
  test.each([
    ["红星镇阳光城印象8号楼", "poi:阳光城印象"],
    ["红星镇百草城国际3栋", "poi:百草城国际"],
  ])("%s is one estate, not 城 and a part named 印象 or 国际", (text, name) => {
    expect(parse(text)).toContain(name);
  });

  test("a phase after 城 is still its part", () => {
    expect(parse("红星镇阳光城二期3栋")).toContain("subpoi:二期");
  });
});

describe("estates named X一号 after a compound word", () => {
  test.each([
    ["红星镇阳光城一号百草苑5号楼", ["poi:阳光城一号", "subpoi:百草苑"]],
    ["红星镇百草府壹号南区3号楼", ["poi:百草府壹号", "subpoi:南区"]],
  ])("一号 in %s ends the estate's name", (text, part) => {
    expect(parse(text).slice(1, 3)).toEqual(part);
  });

  test.each([
    ["红星镇百草湾一号12号楼", ["poi:百草湾一号", "houseno:12号楼"]],
    ["红星镇阳光壹号", ["poi:阳光壹号"]],
  ])("一号 before a building number, 壹号 anywhere, ends the estate's name in %s", (text, tail) => {
    expect(parse(text).slice(1)).toEqual(tail);
  });

  test.each([
    ["红星镇阳光苑一栋二单元", "houseno:一栋"],
    ["红星镇阳光城一号铺百草药房", "houseno:一号"],
    ["红星镇百草湾一号", "houseno:一号"],
  ])("a building or a shop's number stays a number in %s", (text, part) => {
    expect(parse(text)).toContain(part);
  });
});

describe("a street office named after a former district", () => {
  test("X区街道 the gazetteer lacks is one township, not a district and a road 街道…", () => {
    expect(parse("广东省中山市红星区街道阳光路8号").slice(2)).toEqual([
      "town:红星区街道",
      "road:阳光路",
      "roadno:8号",
    ]);
    expect(parse("广东省中山市红星区阳光路8号")).toContain("district:红星区");
  });
});

describe("roads numbered in Chinese numerals with 号", () => {
  test.each([
    ["红星镇三号路百草超市", ["road:三号路", "poi:百草超市"]],
    ["红星镇阳光三号路8号", ["road:阳光三号路", "roadno:8号"]],
    ["天津市滨海新区新港二号路阳光里3号楼", ["road:新港二号路", "poi:阳光里"]],
    ["浙江省温岭市温岭市三号路百草超市", ["road:三号路", "poi:百草超市"]],
  ])("%s names the road with its number", (text, part) => {
    const parsed = parse(text);
    const at = parsed.indexOf(part[0] as string);
    expect(parsed.slice(at, at + 2)).toEqual(part);
  });
});

describe("bridges named by their number", () => {
  test.each([
    ["红星镇七号桥百草超市", ["poi:七号桥", "subpoi:百草超市"]],
    ["阳光路7号桥红星汽修", ["poi:7号桥", "subpoi:红星汽修"]],
  ])("%s names the bridge, then a place by it", (text, part) => {
    expect(parse(text).slice(1)).toEqual(part);
  });
});

describe("a village's own school or clinic", () => {
  test.each([
    ["红星镇阳光村小学", "poi:阳光村小学"],
    ["红星镇阳光社区卫生服务站", "poi:阳光社区卫生服务站"],
    ["红星镇阳光村幼儿园后面百草超市", "poi:阳光村幼儿园"],
  ])("%s is one place named after the village", (text, name) => {
    expect(parse(text)).toContain(name);
  });

  test("another place after the village is a place of its own", () => {
    expect(parse("红星镇阳光村百草超市").slice(1)).toEqual(["community:阳光村", "poi:百草超市"]);
  });
});

describe("ring roads", () => {
  test.each([
    ["重庆市九龙坡区内环红星路8号", ["road:内环", "road:红星路"]],
    ["山西省临汾市尧都区南外环百草超市", ["road:南外环", "poi:百草超市"]],
    ["河南省郑州市中原区西三环中兴路百草小区", ["road:西三环", "road:中兴路"]],
  ])("%s names the ring, then what is on it", (text, part) => {
    const parsed = parse(text);
    const at = parsed.indexOf(part[0] as string);
    expect(parsed.slice(at, at + 2)).toEqual(part);
  });

  test("a ring's own side road stays one road", () => {
    expect(parse("红星区二环东路8号")).toContain("road:二环东路");
  });
});

describe("side streets named by one character", () => {
  test("a lane named by one character right after a road is a road", () => {
    expect(parse("红星镇平阳路东巷8号").slice(1)).toEqual(["road:平阳路", "road:东巷", "roadno:8号"]);
  });

  test("a side's road word after a road stays that road's name", () => {
    expect(parse("红星大道南路866号")).toEqual(["road:红星大道南路", "roadno:866号"]);
  });
});

describe("a zone with a county's code written again after its township", () => {
  test("names the zone the place is in, not a new chain of divisions", () => {
    expect(parse("山东省济南市济南高新技术产业开发区舜华路街道济南高新技术产业开发区阳光路8号")).toEqual([
      "prov:山东省",
      "city:济南市",
      "district:济南高新技术产业开发区",
      "town:舜华路街道",
      "devzone:济南高新技术产业开发区",
      "road:阳光路",
      "roadno:8号",
    ]);
  });
});

describe("a side standing alone", () => {
  test.each([
    ["红星区阳光路中8号", "assist:中"],
    ["红星区阳光路,北,8号", "assist:北"],
    ["红星镇阳光村南3组", "assist:南"],
  ])("in %s says where, it is no place", (text, side) => {
    expect(parse(text)).toContain(side);
  });
});

describe("a car dealer's 4S shop", () => {
  test.each([
    ["阳光路8号红星汽车4S店对面", ["poi:红星汽车4S店", "assist:对面"]],
    ["红星镇百草4s店办公室", ["poi:百草4s店", "subpoi:办公室"]],
  ])("4S店 in %s ends the brand's name, it is no number", (text, tail) => {
    expect(parse(text).slice(-2)).toEqual(tail);
  });
});

describe("a branch named in brackets", () => {
  test.each([
    ["红星镇百草超市(阳光店)", "poi:百草超市(阳光店)"],
    ["阳光路8号红星银行（百草支行）3楼", "poi:红星银行（百草支行）"],
  ])("%s is one place, its brand and branch", (text, name) => {
    expect(parse(text)).toContain(name);
  });

  test("another place named in brackets stays a place of its own", () => {
    expect(parse("红星镇阳光小区(百草医院旁)")).toContain("poi:百草医院");
  });
});

describe("names that end a place inside a run", () => {
  test("a place named after a bridge, then a compound, is two places", () => {
    expect(parse("红星镇踏月桥百草花园3栋").slice(1, 3)).toEqual(["poi:踏月桥", "poi:百草花园"]);
  });

  test("a scenic area, then a place inside it", () => {
    expect(parse("阳光区红星山风景区百草山庄").slice(1)).toEqual(["poi:红星山风景区", "subpoi:百草山庄"]);
  });

  test("a college, then its flats", () => {
    expect(parse("红星区百草职业学院阳光公寓3栋").slice(1, 3)).toEqual([
      "poi:百草职业学院",
      "subpoi:阳光公寓",
    ]);
  });

  test("a township named after a bridge is not cut", () => {
    expect(parse("阳光区红星桥镇百草苑")).toContain("town:红星桥镇");
  });
});
