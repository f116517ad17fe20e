"""Hotspot detection on hand-made rows: bursts, not base rates; evidence, places, clusters."""

from random import Random

from hub.civic.hotspots import Background, Row, clusters, detect, g_score
from hub.civic.text import simhash

COMMON = ["停车位", "垃圾分类", "物业", "噪音", "加装电梯", "绿化"]


def rows(n: int, seed: int, start: int = 0) -> list[Row]:
    rng = Random(seed)
    found = []
    for i in range(n):
        terms = tuple(rng.sample(COMMON, 2))
        place = f"plc_{rng.randrange(40):016x}"
        found.append(Row(f"op{start + i}", terms, place, f"{place[-2:]}幢", "other",
                         rng.getrandbits(63), float(i)))
    return found


def burst(n: int, place: str) -> list[Row]:
    text = "和睦新村3幢的电梯又坏了，今天又有人被困在里面"
    return [Row(f"b{i}", ("电梯故障", "困人", "物业"), place, "和睦新村3幢", "housing",
                simhash(text + "！" * (i % 2)), 1e6 + i) for i in range(n)]


def test_g_score_is_zero_unless_more_than_expected() -> None:
    assert g_score(5, 5.0) == 0 and g_score(3, 5.0) == 0
    assert g_score(30, 1.0) > g_score(10, 1.0) > 0


def test_a_burst_in_one_building_is_found_with_its_evidence() -> None:
    background = Background.of(rows(6000, 1, 10_000), periods=3)
    place = "plc_00000000000000aa"
    spots = detect(rows(2000, 2) + burst(25, place), background)
    assert len(spots) == 1, [s.title for s in spots]
    spot = spots[0]
    assert spot.place_id == place and set(spot.keywords) >= {"电梯故障", "困人"}
    assert spot.count == 25 and set(spot.opinion_ids) == {f"b{i}" for i in range(25)}
    assert spot.places[0] == (place, "和睦新村3幢", 25)
    assert spot.clusters and sum(c.size for c in spot.clusters) == 25
    assert spot.growth > 1 and "和睦新村3幢" in spot.title


def test_common_keywords_at_their_usual_rate_are_not_hot() -> None:
    background = Background.of(rows(6000, 3), periods=3)
    assert detect(rows(2000, 4, 50_000), background) == []


def test_without_background_the_most_significant_still_rank() -> None:
    spots = detect(rows(500, 5) + burst(20, "plc_00000000000000bb"), Background())
    assert spots and spots[0].place_id == "plc_00000000000000bb"


def test_clusters_group_near_duplicates_only() -> None:
    found = clusters(burst(4, "p") + rows(30, 6))
    assert [c.size for c in found] == [4]
