"""Homophone typos and pinyin written back before concepts are matched (hub.civic.sounds).

The texts are how phones transcribe elderly residents' voice messages and how people type by
pinyin; each typed case failed to name its concept before sounds.py.
"""


import pytest

from hub.civic.sounds import SoundAlikes, fuzzy
from hub.civic.text import TextAnalyzer


@pytest.fixture(scope="module")
def text(tmp_path_factory: pytest.TempPathFactory) -> TextAnalyzer:
    return TextAnalyzer(tmp_path_factory.mktemp("jieba"))


@pytest.mark.parametrize(("typed", "concept"), [
    ("楼到里面停了好几辆电频车 天天晚上插着冲电", "飞线充电/电动车上楼"),
    ("电梯又怀了 三天了没人修", "电梯故障/困人"),
    ("单元门近卡刷了没反应 进不去", "门禁故障"),
    ("楼下垃级堆了一个礼拜没人收 臭死了", "垃圾清运/垃圾房异味"),
    ("dianti kun ren le 快来人", "电梯故障/困人"),
])
def test_typed_by_sound_names_its_concept(text: TextAnalyzer, typed: str, concept: str) -> None:
    assert concept in text.analyze(typed).topics, text.tables.sounds.fix(typed)


@pytest.mark.parametrize("meant", [
    "我的车尾被人刮了一道",  # 车尾 is a word, not 车位
    "建一个停车场吧",  # 建一 is grammar: not 建议
    "我心里发毛",  # 心里 is a word beside 里发: not 理发
    "赶紧来人看看",  # 赶紧: not 赶进来
    "水漏到楼下了",  # 漏到 shares no character with 楼道
    "归谁管啊",  # 谁 is grammar: not 水管
])
def test_words_typed_as_meant_are_left_alone(text: TextAnalyzer, meant: str) -> None:
    assert text.tables.sounds.fix(meant) == meant


def test_a_sound_two_words_share_says_neither() -> None:
    # 施工 and 时工 sound alike (shi gong); a typo of that sound could mean either
    sounds = SoundAlikes(["施工", "失控"], known=lambda w: w in {"施工", "失控"})
    assert sounds.fix("工地施功到半夜") == "工地施工到半夜"
    ambiguous = SoundAlikes(["施工", "时工"], known=lambda w: w in {"施工", "时工"})
    assert ambiguous.fix("工地施功到半夜") == "工地施功到半夜"


def test_latin_pinyin_spelling_one_word_is_written_back() -> None:
    sounds = SoundAlikes(["楼道", "漏水"], known=lambda w: w in {"楼道", "漏水"})
    assert sounds.fix("loudao li lou shui") == "楼道 li 漏水"
    assert sounds.fix("loudaolishuilou") == "楼道lishuilou"


def test_fuzzy_folds_what_listeners_confuse() -> None:
    assert [fuzzy(s) for s in ("zhi", "ting", "shen", "lou")] == ["zi", "tin", "sen", "nou"]


def test_the_analyzer_is_unchanged_for_texts_without_typos(text: TextAnalyzer) -> None:
    plain = "7幢电梯异响，坐着心里发毛"
    assert text.tables.sounds.fix(text.concepts.respell(plain)) == text.concepts.respell(plain)


@pytest.mark.parametrize(("written", "concept"), [
    ("電梯門關起來咣噹一聲，嚇死人", "电梯故障/困人"),
    ("樓道電燈壞了半個多月了", "楼道灯/路灯不亮"),
])
def test_traditional_characters_name_their_concept(text: TextAnalyzer, written: str,
                                                   concept: str) -> None:
    assert concept in text.analyze(written).topics
