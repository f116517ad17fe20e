"""Chinese personal names: weighted surnames, era- and gender-typical given names, 同音字 typos."""

from itertools import accumulate
from random import Random

# Surname -> rough weight (per mille) for Hangzhou; common northern names are present but rarer.
_SURNAMES: dict[str, float] = {
    "王": 62, "陈": 60, "张": 45, "李": 40, "徐": 34, "周": 30, "吴": 30, "金": 26, "朱": 24,
    "杨": 22, "沈": 22, "钱": 16, "俞": 14, "胡": 20, "方": 14, "孙": 15, "潘": 13, "何": 12,
    "黄": 18, "郑": 13, "刘": 22, "叶": 12, "蒋": 11, "林": 11, "赵": 12, "应": 6, "邵": 7,
    "章": 8, "许": 10, "姚": 8, "汪": 8, "楼": 5, "高": 8, "陆": 8, "傅": 7, "马": 7, "丁": 6,
    "戴": 5, "范": 5, "余": 7, "夏": 5, "毛": 5, "鲍": 3, "卢": 4, "洪": 4, "程": 5, "江": 4,
    "魏": 3, "宋": 4, "谢": 5, "曹": 4, "冯": 4, "袁": 4, "韩": 3, "邱": 4, "裘": 3, "童": 3,
    "葛": 3, "严": 3, "施": 4, "顾": 4, "唐": 4, "罗": 3, "郭": 4, "梁": 2, "田": 2, "任": 3,
    "姜": 3, "石": 3, "谭": 2, "廖": 1, "邹": 2, "熊": 2, "孔": 2, "白": 2, "崔": 2, "康": 2,
    "秦": 2, "史": 2, "侯": 1, "孟": 2, "龙": 1, "汤": 3, "尹": 2, "黎": 1, "易": 1, "贺": 2,
    "龚": 3, "倪": 3, "屠": 2, "诸葛": 0.3, "欧阳": 0.4, "司马": 0.1,
}
SURNAMES = list(_SURNAMES)
_SURNAME_CUM = list(accumulate(_SURNAMES.values()))

# Given names typical of each birth cohort, whole names and single characters to combine.
_GIVEN = {
    ("old", "男"): "建国 国强 金根 水根 德华 志明 国庆 根宝 阿大 兴华 福根 荣生 永康 光明 "
    "其昌 长林 家骏 树林 文华 云龙 宝林 炳荣 汉生 正德",
    ("old", "女"): "秀英 桂英 玉兰 淑珍 凤英 金娣 杏娟 彩娣 月娥 素珍 秀珍 美华 根娣 菊英 "
    "爱珍 雪英 阿英 巧云 翠英 宝珠 惠芬 兰英 招娣 水仙",
    ("mid", "男"): "伟 军 勇 斌 强 杰 涛 明 波 华 建华 海峰 晓东 建军 立新 卫东 国平 志强 "
    "海涛 永明 振华 伟民 建平 晓峰",
    ("mid", "女"): "敏 静 丽 艳 芳 燕 英 霞 萍 红 海燕 红梅 丽华 晓红 雅琴 秀芳 建英 "
    "丽娟 美玲 晓燕 亚萍 春燕 玉琴 慧敏",
    ("young", "男"): "子涵 梓轩 浩然 宇航 思远 一鸣 俊杰 子豪 皓轩 宇辰 博文 沐阳 睿 "
    "泽宇 天佑 嘉乐 奕辰 铭泽 浩宇 子墨 逸凡 承宇 瑞 昊然",
    ("young", "女"): "欣怡 一诺 雨桐 诗涵 梓涵 思琪 可馨 若曦 语嫣 佳怡 梦瑶 紫萱 "
    "雨欣 子萱 静怡 欣妍 安然 心怡 语桐 诗琪 依诺 婉清 芷若 梓萌",
}
_CHARS = {
    ("old", "男"): "国 建 金 荣 德 根 福 宝 兴 明 华 林 生 和 庆 祥 发 财 忠 春",
    ("old", "女"): "秀 英 珍 兰 凤 娣 娟 芬 菊 梅 素 月 美 桂 仙 爱 琴 宝 彩 云",
    ("mid", "男"): "伟 军 建 国 海 晓 志 立 卫 明 华 峰 平 东 强 斌 波 杰 荣 林",
    ("mid", "女"): "丽 红 海 晓 美 秀 亚 春 燕 霞 芳 萍 玲 敏 静 娟 雅 琴 慧 莉",
    ("young", "男"): "子 浩 宇 轩 睿 泽 博 一 辰 俊 哲 豪 铭 晨 嘉 奕 逸 航 昊 然",
    ("young", "女"): "欣 诗 雨 梓 思 佳 语 涵 萱 怡 琪 馨 彤 妍 悦 若 可 瑶 依 桐",
}
GIVEN_NAMES = {key: text.split() for key, text in _GIVEN.items()}
GIVEN_CHARS = {key: text.split() for key, text in _CHARS.items()}

# Characters that sound alike (同音字) and are confused when a clerk types a name by ear.
_HOMOPHONES = (
    "英瑛影 华桦 明铭 伟玮炜 丽莉俪 芳方 静靖 军君钧 杰洁 红宏虹 燕艳雁 秀绣 兰岚 梅玫 "
    "平萍 敏闵 霞侠 娟鹃 珍贞 凤峰 国帼 建健 志智 文雯 斌彬 林琳 玲铃 琴芹 云芸 春椿 "
    "海亥 涛韬 波坡 荣蓉 峰锋 东冬 强蔷 宇雨 轩宣 怡仪 琪祺 涵寒 欣馨 浩皓 博搏 诗师 "
    "张章 王汪 徐许 杨阳 刘柳 周州 林凌 沈申 钱前 吴武 胡湖 李理 叶业 金晶 朱珠 程成"
)
HOMOPHONES: dict[str, list[str]] = {}
for _group in _HOMOPHONES.split():
    for _ch in _group:
        HOMOPHONES[_ch] = [other for other in _group if other != _ch]


def cohort(birth_year: int) -> str:
    """Naming fashion changes with the decade of birth."""
    if birth_year < 1960:
        return "old"
    if birth_year < 1990:
        return "mid"
    return "young"


def surname(rng: Random) -> str:
    return rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: Random, gender: str, birth_year: int) -> str:
    key = (cohort(birth_year), gender)
    if rng.random() < 0.45:
        return rng.choice(GIVEN_NAMES[key])
    chars = GIVEN_CHARS[key]
    if rng.random() < 0.2:
        return rng.choice(chars)
    return rng.choice(chars) + rng.choice(chars)


def full_name(rng: Random, gender: str, birth_year: int, family: str | None = None) -> str:
    return (family or surname(rng)) + given_name(rng, gender, birth_year)


def homophone_typo(rng: Random, name: str) -> str | None:
    """The name with one character swapped for a homophone, preferring the given name; None if
    no character of it has a known homophone."""
    positions = [i for i, ch in enumerate(name) if ch in HOMOPHONES]
    if not positions:
        return None
    given = [i for i in positions if i > 0]
    pos = rng.choice(given) if given and rng.random() < 0.85 else rng.choice(positions)
    return name[:pos] + rng.choice(HOMOPHONES[name[pos]]) + name[pos + 1 :]
