/**
 * Name pools of the synthetic city 澜江市 (a fictional prefecture-level city placed in 浙江省).
 * Every district, road, compound and shop name is unique in the city, so that two different
 * true places never share a name (docs/synthetic-city.md).
 */

export const PROVINCE = "浙江省";
export const CITY = "澜江市";
export const CITY_SHORT = "澜江";
/** Fictional division code (Zhejiang has 3301-3311; 3312 is unused). */
export const CITY_CODE = "331200";
export const CITY_BUREAU = "澜江市公安局";
/** Fictional long-distance area code for landlines. */
export const AREA_CODE = "0581";
/** Licence-plate prefix of the city (浙 + an unused letter). */
export const PLATE_PREFIX = "浙M";

export interface DistrictSpec {
  readonly name: string;
  readonly short: string;
  readonly code: string;
  readonly branch: string;
  /** Centre in GCJ-02. */
  readonly lon: number;
  readonly lat: number;
  /** Half extent east-west and north-south in km. */
  readonly halfWidthKm: number;
  readonly halfHeightKm: number;
  readonly suburban: boolean;
  /** Street (街道) or town (镇) names; one police station each. */
  readonly streets: readonly string[];
  readonly ewRoads: number;
  readonly nsRoads: number;
  readonly compoundsPerStation: number;
  readonly shopsPerStation: number;
}

export const DISTRICTS: readonly DistrictSpec[] = [
  {
    name: "澜东区",
    short: "澜东",
    code: "331202",
    branch: "澜东分局",
    lon: 120.962,
    lat: 29.362,
    halfWidthKm: 3.6,
    halfHeightKm: 3,
    suburban: false,
    streets: ["春华", "东湖", "望江门", "新河", "锦里", "北关"],
    ewRoads: 6,
    nsRoads: 7,
    compoundsPerStation: 42,
    shopsPerStation: 30,
  },
  {
    name: "澜西区",
    short: "澜西",
    code: "331203",
    branch: "澜西分局",
    lon: 120.885,
    lat: 29.357,
    halfWidthKm: 3.4,
    halfHeightKm: 3,
    suburban: false,
    streets: ["西津", "凤鸣", "文昌", "清平", "古渡"],
    ewRoads: 6,
    nsRoads: 6,
    compoundsPerStation: 40,
    shopsPerStation: 28,
  },
  {
    name: "望潮区",
    short: "望潮",
    code: "331204",
    branch: "望潮分局",
    lon: 121.02,
    lat: 29.318,
    halfWidthKm: 4,
    halfHeightKm: 3.4,
    suburban: false,
    streets: ["潮音", "海晏", "白沙", "新港"],
    ewRoads: 5,
    nsRoads: 6,
    compoundsPerStation: 38,
    shopsPerStation: 24,
  },
  {
    name: "鹭洲区",
    short: "鹭洲",
    code: "331205",
    branch: "鹭洲分局",
    lon: 120.93,
    lat: 29.418,
    halfWidthKm: 4.2,
    halfHeightKm: 3.2,
    suburban: false,
    streets: ["鹭岛", "双桥", "高新", "沙洲"],
    ewRoads: 5,
    nsRoads: 6,
    compoundsPerStation: 34,
    shopsPerStation: 22,
  },
  {
    name: "青岚县",
    short: "青岚",
    code: "331221",
    branch: "青岚县公安局",
    lon: 120.815,
    lat: 29.272,
    halfWidthKm: 8,
    halfHeightKm: 6.5,
    suburban: true,
    streets: ["岚城", "石门", "溪口", "马鞍"],
    ewRoads: 4,
    nsRoads: 4,
    compoundsPerStation: 18,
    shopsPerStation: 16,
  },
];

/** Road names without their suffix; unique in the city. */
export const ROAD_BASES = [
  "人民",
  "解放",
  "中山",
  "建设",
  "文化",
  "胜利",
  "友谊",
  "新华",
  "光明",
  "朝阳",
  "复兴",
  "振兴",
  "开元",
  "迎宾",
  "青年",
  "工农",
  "劳动",
  "学府",
  "体育",
  "健康",
  "长江",
  "黄河",
  "钱塘",
  "珠江",
  "湘江",
  "汉江",
  "岷江",
  "泰山",
  "华山",
  "衡山",
  "嵩山",
  "庐山",
  "昆仑",
  "天山",
  "东风",
  "红旗",
  "前进",
  "团结",
  "民主",
  "环城",
  "江滨",
  "东湖",
  "南湖",
  "北湖",
  "银杏",
  "香樟",
  "凤凰",
  "滨海",
  "渔港",
  "盐仓",
  "丝绸",
  "茶山",
  "古城",
  "书院",
  "状元",
  "太平",
  "永宁",
  "延安",
  "北站",
  "南站",
  "五一",
  "八一",
  "育才",
  "园丁",
  "科技",
  "创业",
  "工业",
  "物流",
  "港城",
  "海港",
  "机场",
  "会展",
] as const;

/** First and second characters of compound names (锦绣, 阳光 ... plus combinations). */
export const COMPOUND_CLASSICS = [
  "阳光",
  "锦绣",
  "幸福",
  "丽景",
  "翠湖",
  "金桂",
  "碧水",
  "绿洲",
  "盛世",
  "东方",
  "明珠",
  "星河",
  "紫荆",
  "香榭",
  "枫林",
  "桃源",
  "天悦",
  "春晓",
  "海棠",
  "玉兰",
  "怡景",
  "嘉禾",
  "梧桐",
  "时代",
  "书香",
  "水岸",
  "金色",
  "蓝湾",
  "山水",
  "清华",
  "银座",
] as const;
export const COMPOUND_FIRST =
  "金银翠锦阳明春秋碧青紫丽东西南新福瑞嘉和安康泰盛鸿龙凤景御望滨湖江云星月桂兰梅竹松枫荷香".split("");
export const COMPOUND_SECOND = "桂竹光湖江山水港湾林泉岸溪峰岭景河洲桥坊阁轩馨悦邦汇晖霞岚源韵雅都".split("");
/** Four-character compound names (阳光水岸 style) are two words, one from each list. */
export const COMPOUND_WORDS_1 = [
  "世纪",
  "未来",
  "都市",
  "国际",
  "梦想",
  "和谐",
  "温馨",
  "康桥",
  "香溪",
  "玫瑰",
  "百合",
  "丁香",
  "水晶",
  "钻石",
  "城市",
  "江南",
  "湖畔",
  "天鹅",
  "银河",
  "紫金",
  "蓝色",
  "红叶",
  "白云",
  "青山",
  "海上",
  "森林",
  "星光",
  "彩虹",
  "黄金",
  "翡翠",
] as const;
export const COMPOUND_WORDS_2 = [
  "港湾",
  "水岸",
  "名都",
  "天地",
  "花城",
  "公馆",
  "名邸",
  "华府",
  "新城",
  "星城",
  "尚城",
  "豪庭",
  "丽都",
  "领寓",
  "学府",
  "首府",
  "湾畔",
  "半岛",
  "一品",
  "春天",
  "印象",
  "花语",
  "云庭",
  "东岸",
  "西岸",
  "南岸",
  "北岸",
  "锦城",
  "御府",
  "上城",
] as const;
/** Characters of generated two-character shop names (鑫源, 佳旺 ...). */
export const SHOP_NAME_CHARS =
  "鑫旺隆兴发达福源佳美惠优乐康汇利丰顺通宏昌盛祥信诚益万百千宝中天广恒永聚".split("");

/** Compound suffixes as registered; call-takers often replace them by 小区. */
export const COMPOUND_SUFFIXES = ["小区", "花园", "苑", "家园", "新村", "公寓", "华庭"] as const;
export type CompoundSuffix = (typeof COMPOUND_SUFFIXES)[number] | "";

/** Homophones (same toneless pinyin) used for typos in compound names. */
export const HOMOPHONES: Readonly<Record<string, readonly string[]>> = {
  桂: ["贵"],
  光: ["广"],
  湖: ["胡"],
  景: ["京", "井"],
  明: ["名", "鸣"],
  福: ["富"],
  瑞: ["睿"],
  嘉: ["佳"],
  泰: ["太"],
  盛: ["胜"],
  鸿: ["宏"],
  龙: ["隆"],
  御: ["玉", "裕"],
  望: ["旺"],
  滨: ["宾"],
  林: ["琳", "临"],
  泉: ["全"],
  岸: ["按"],
  溪: ["希"],
  峰: ["丰", "锋"],
  岭: ["领"],
  河: ["禾"],
  洲: ["州", "舟"],
  桥: ["乔"],
  坊: ["芳", "方"],
  阁: ["格"],
  轩: ["宣"],
  馨: ["欣"],
  悦: ["越", "月"],
  邦: ["帮"],
  汇: ["惠", "会"],
  晖: ["辉"],
  霞: ["夏"],
  岚: ["蓝"],
  源: ["元"],
  韵: ["运"],
  雅: ["亚"],
  金: ["今", "津"],
  翠: ["萃"],
  锦: ["瑾"],
  阳: ["洋", "杨"],
  春: ["椿"],
  秋: ["丘"],
  碧: ["璧"],
  青: ["清"],
  紫: ["子"],
  丽: ["莉", "力"],
  东: ["冬"],
  南: ["楠"],
  和: ["禾"],
  星: ["兴"],
  云: ["芸"],
  月: ["越"],
  兰: ["蓝"],
  梅: ["玫"],
  竹: ["筑", "珠"],
  松: ["嵩"],
  枫: ["丰"],
  荷: ["禾"],
  香: ["湘", "祥"],
  绣: ["秀"],
  幸: ["杏"],
  都: ["督"],
  庭: ["廷"],
  棠: ["堂"],
  榭: ["谢"],
};

/** Similar-looking characters (形近字) used for typos in compound names. */
export const LOOKALIKES: Readonly<Record<string, readonly string[]>> = {
  锦: ["绵"],
  悦: ["说"],
  馨: ["磬"],
  阁: ["阎"],
  雅: ["鸦"],
  晖: ["挥"],
  坊: ["纺"],
  峰: ["蜂"],
  湾: ["弯"],
  泉: ["汞"],
  汇: ["江"],
  霞: ["瑕"],
  桥: ["轿"],
  岭: ["玲"],
  瑞: ["端"],
  福: ["副"],
  康: ["庚"],
};

export const SHOP_PREFIXES = [
  "惠民",
  "百姓",
  "鑫鑫",
  "兴旺",
  "阿强",
  "老王",
  "老李",
  "张记",
  "刘记",
  "陈记",
  "小芳",
  "蓝天",
  "星光",
  "金牌",
  "顺发",
  "宏达",
  "恒通",
  "万家",
  "福满",
  "红运",
  "大众",
  "利民",
  "便民",
  "四季",
  "天天",
  "快乐",
  "晨光",
  "好运来",
  "聚福",
  "实惠",
  "吉祥",
  "如意",
  "开心",
  "一品",
  "老街",
  "乡村",
  "江南",
  "北方",
  "川味",
  "湘味",
  "东北",
  "潮汕",
  "佳佳",
  "乐乐",
  "多多",
  "优品",
  "精品",
  "诚信",
  "旺角",
  "名流",
] as const;

export type ShopKind =
  | "supermarket"
  | "convenience"
  | "fruit"
  | "phone"
  | "clothes"
  | "hardware"
  | "pharmacy"
  | "liquor"
  | "barber"
  | "noodles"
  | "restaurant"
  | "hotpot"
  | "bbq"
  | "tea"
  | "netcafe"
  | "ktv"
  | "bar"
  | "massage"
  | "chess"
  | "garage"
  | "ebike"
  | "agency"
  | "laundry"
  | "baby"
  | "pet"
  | "gym";

export const SHOP_TYPES: readonly (readonly [ShopKind, string])[] = [
  ["supermarket", "超市"],
  ["convenience", "便利店"],
  ["fruit", "水果店"],
  ["phone", "手机店"],
  ["clothes", "服装店"],
  ["hardware", "五金店"],
  ["pharmacy", "大药房"],
  ["liquor", "烟酒店"],
  ["barber", "理发店"],
  ["noodles", "面馆"],
  ["restaurant", "饭店"],
  ["hotpot", "火锅店"],
  ["bbq", "烧烤店"],
  ["tea", "奶茶店"],
  ["netcafe", "网吧"],
  ["ktv", "KTV"],
  ["bar", "酒吧"],
  ["massage", "足浴店"],
  ["chess", "棋牌室"],
  ["garage", "汽修厂"],
  ["ebike", "电动车行"],
  ["agency", "房产中介"],
  ["laundry", "干洗店"],
  ["baby", "母婴店"],
  ["pet", "宠物店"],
  ["gym", "健身房"],
];

export const SCHOOL_NAMES = ["小学", "中学", "实验小学", "幼儿园", "初级中学"] as const;
export const COMPANY_SUFFIXES = [
  "建筑劳务有限公司",
  "建设工程有限公司",
  "物业服务有限公司",
  "装饰工程有限公司",
] as const;
export const CHINESE_ORDINALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"] as const;
