"""Chinese text: dictionary words stay whole, stopwords go, categories come from the taxonomy."""

from hub.civic.text import OTHER, load_taxonomy, simhash
from hub.runtime import Runtime


def test_taxonomy_file_has_six_categories_and_hundreds_of_keywords() -> None:
    categories = load_taxonomy()
    assert len(categories) == 6
    assert sum(len(c.keywords) for c in categories) >= 380
    assert "加装电梯" in next(c for c in categories if c.code == "housing").keywords


def test_domain_words_stay_whole_and_stopwords_go(runtime: Runtime) -> None:
    text = runtime.civic.text
    found = text.analyze("加装电梯什么时候开工？停车位也不够，谢谢，尽快处理，已经反映多次")
    assert "加装电梯" in found.keywords and "停车位" in found.keywords
    assert not {"谢谢", "尽快", "多次", "加装"} & set(found.keywords)
    assert found.category in ("housing", "traffic")


def test_categories_and_other(runtime: Runtime) -> None:
    text = runtime.civic.text
    assert text.analyze("希望社区开一个老年食堂，助餐服务").category == "livelihood"
    assert text.analyze("楼道里有人飞线充电，太危险").category == "safety"
    assert text.analyze("今天天气不错").category == OTHER


def test_markup_is_not_a_keyword(runtime: Runtime) -> None:
    found = runtime.civic.text.analyze("<script>alert('x')</script>垃圾清运不及时")
    assert found.keywords and found.category == "environment"
    assert not any("script" in k or "alert" in k for k in found.keywords)


def test_simhash_near_duplicates_are_close() -> None:
    a = simhash("和睦新村3幢的电梯又坏了，今天又有人被困在里面！")
    b = simhash("和睦新村3幢的电梯又坏了，今天又有人被困在里面。")
    c = simhash("小区停车位太少了，晚上回来根本找不到车位")
    assert ((a ^ b) & (2**64 - 1)).bit_count() <= 3
    assert ((a ^ c) & (2**64 - 1)).bit_count() > 10
