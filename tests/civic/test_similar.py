"""Problems no concept lists: groups of similar texts (hub.civic.similar) as hotspots.

Rows are hand-written; the analyzer is the hub's own. Each burst here is worded with nothing
of hub/civic/data/concepts.toml, and each test also runs the rows without their bigrams (the
concepts alone, as before the method) to show that it is the method that finds them.
"""


import pytest

from hub.civic import similar
from hub.civic.hotspots import Background, Hotspot, Row, detect
from hub.civic.text import TextAnalyzer, simhash

CHATTER = ["小区停车位太少了", "垃圾桶满了没人清运", "希望多组织文体活动", "路灯不亮好几天了",
           "物业费涨了服务没提高", "楼道里有人堆放杂物", "希望增加健身器材", "蚊子太多希望消杀",
           "有没有人一起拼车去机场", "出一个九成新的电饭煲自提", "谁家的橘猫在楼下转悠",
           "求推荐附近靠谱的搬家师傅"]
BROADBAND = ["宽带又断了，光猫一直在闪，线上开会被踢出去", "这栋的宽带天天掉线，光猫重启八百遍没用",
             "断网第三天了，宽带师傅说楼里的线老化", "晚上宽带基本用不了，视频一直转圈，光猫一直闪",
             "宽带又掉线了，打运营商客服说排队中", "整栋楼宽带都断了吗，光猫一直闪",
             "宽带掉线一天三次，网课都上不了", "光猫闪了一晚上，宽带还是连不上"]
RIDERS = ["外卖小哥现在进不来小区了，奶茶放在大门口四十分钟", "骑手说不让进，外卖只能自己下楼去大门口拿",
          "外卖小哥送到大门就被拦下，说是新规定", "外卖进不来，我们上班族晚上十点才点饭",
          "外卖小哥被拦在外面，打电话让我下去拿", "能不能让外卖骑手登记一下就放进来",
          "今天闪送小哥也被拦了，外卖都凉了", "外卖放在大门口架子上被人拿错了两回",
          "外卖小哥在大门口等了半小时，汤都洒了"]


@pytest.fixture(scope="module")
def text(tmp_path_factory: pytest.TempPathFactory) -> TextAnalyzer:
    analyzer = TextAnalyzer(tmp_path_factory.mktemp("jieba"))
    analyzer.add_place_names(["景芳新村", "翠园二村"])
    return analyzer


def row(text: TextAnalyzer, i: str, words: str, building: int, estate: str = "景芳新村",
        grid: str = "33010500400401", grams: bool = True) -> Row:
    found = text.analyze(words)
    name = f"{estate}{building}幢"
    return Row(i, tuple(found.keywords), f"plc_{estate}{building}", name, found.category,
               simhash(words), 0.0, grid, text.topic_terms(found.keywords),
               similar.grams(words, name) if grams else ())


def month(text: TextAnalyzer, tag: str, grams: bool, n: int = 240) -> list[Row]:
    """Ordinary opinions over two estates' twelve buildings each."""
    return [row(text, f"{tag}{i}", CHATTER[i % len(CHATTER)], i % 12 + 1,
                ("景芳新村", "翠园二村")[i % 2], ("33010500400401", "33010500400402")[i % 2],
                grams) for i in range(n)]


def found(text: TextAnalyzer, burst: list[Row], grams: bool) -> list[Hotspot]:
    background = Background.of(month(text, "b", grams, 720), 3)
    return detect(month(text, "m", grams) + burst, background, 10)


def holding(spots: list[Hotspot], ids: set[str]) -> list[Hotspot]:
    return [s for s in spots if len(ids & set(s.opinion_ids)) >= 0.7 * len(ids)]


def test_bigrams_skip_function_characters_numbers_and_the_place() -> None:
    assert similar.grams("景芳新村7幢的宽带断了", "景芳新村7幢") == ("宽带", "带断")


def test_an_unlisted_wording_bursts_at_its_building(text: TextAnalyzer) -> None:
    for grams in (True, False):
        burst = [row(text, f"w{i}", t, 7, grams=grams) for i, t in enumerate(BROADBAND)]
        assert not any(text.analyze(t).topics for t in BROADBAND + RIDERS)  # no concept
        spots = holding(found(text, burst, grams), {r.id for r in burst})
        if not grams:
            assert spots == []  # the concepts alone do not see it
            continue
        assert [(s.level, s.place_name) for s in spots] == [("building", "景芳新村7幢")]
        assert "宽带" in spots[0].topic or "光猫" in spots[0].topic, spots[0].title
        assert spots[0].title.endswith("条（前三月月均0.0条）")


def test_an_unlisted_wording_over_an_estates_buildings(text: TextAnalyzer) -> None:
    for grams in (True, False):
        burst = [row(text, f"s{i}", t, i + 1, "翠园二村", "33010500400402", grams)
                 for i, t in enumerate(RIDERS)]
        spots = holding(found(text, burst, grams), {r.id for r in burst})
        if not grams:
            assert spots == []
            continue
        assert [(s.level, s.place_name) for s in spots] == [("estate", "翠园二村")]
        assert "外卖" in spots[0].topic, spots[0].title


def test_chatter_usual_at_a_place_is_no_hotspot(text: TextAnalyzer) -> None:
    """Second-hand offers in one building every month, as many this month: no hotspot, even
    when the building is busier than usual; and no title is a common word."""
    offers = ["出一个九成新的电饭煲", "出二手床垫自提", "出闲置显示器九成新", "出一个全新的仓鼠笼子",
              "出九成新的书桌自提", "出二手电风扇"]

    def offering(tag: str, n: int) -> list[Row]:
        return [row(text, f"{tag}{i}", offers[i % len(offers)], 3) for i in range(n)]

    background = Background.of(month(text, "b", True, 720) + offering("bo", 24), 3)
    extra = [row(text, f"x{i}", CHATTER[i % 4], 3) for i in range(6)]  # a busy month there
    spots = detect(month(text, "m", True) + offering("mo", 8) + extra, background, 10)
    assert holding(spots, {f"mo{i}" for i in range(8)}) == []
    common = similar.frequent([similar.grams(t) for t in CHATTER * 20], 240)
    assert not any(w in common for s in spots for w in s.topic.split("/"))
