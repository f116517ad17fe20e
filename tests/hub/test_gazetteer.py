"""The gazetteer finds the estates an address names the same way for a street and a city."""

import random

from hub.linking.keys import Keyring
from hub.linking.normalize import parse_address
from hub.linking.places import Building, Gazetteer

SYLLABLES = "映月新村花园锦绣苑东西南北城华庭嘉禾里"


def _gazetteer(estates: list[str]) -> Gazetteer:
    gazetteer = Gazetteer(Keyring("test-secret"))
    for n, estate in enumerate(estates):
        gazetteer._file(Building(f"plc_{n}", estate, "1", "33010500400101", "330105004001"))
    return gazetteer


def _one_by_one(gazetteer: Gazetteer, text: str) -> tuple[str, ...]:
    return tuple(e for e in gazetteer._by_estate if e and e in text)


def test_a_city_of_estates_is_searched_by_pieces_with_the_same_answers() -> None:
    rng = random.Random(5)
    names = {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 6))) for _ in range(3000)}
    estates = sorted(names, key=lambda _: rng.random())
    city = _gazetteer(estates)
    assert len(city._by_estate) > 40 * len(city._estate_lengths)  # the pieces path is taken
    texts = [f"{rng.choice(estates)}{rng.choice(estates)}3幢2单元501室" for _ in range(300)]
    texts += ["".join(rng.choices(SYLLABLES, k=30)) for _ in range(300)] + ["", "3号楼"]
    for text in texts:
        found = city._estates_named(text)
        assert found == _one_by_one(city, text), text
    street = _gazetteer(estates[:5])
    for text in texts:
        assert street._estates_named(text) == _one_by_one(street, text)


def test_kept_answers_are_the_answers_worked_out_again() -> None:
    """Addresses resolved with kept answers, and the same stream worked out each time, agree
    through rooms named without their unit and buildings filed midway."""
    rng = random.Random(11)
    kept, fresh = Gazetteer(Keyring("test-secret")), Gazetteer(Keyring("test-secret"))
    estates = ["映月新村", "锦绣花园", "南城嘉苑"]

    def file(estate: str, number: str) -> None:
        for gazetteer in (kept, fresh):
            gazetteer.building(estate, number, "33010500400101", "330105004001", None)

    for estate in estates[:2]:
        for number in ("1", "2", "3"):
            file(estate, number)
    for step in range(3000):
        if step == 1500:
            file(estates[2], "1")
            file(estates[0], "4")
        estate = rng.choice(estates)
        unit = rng.choice(["", "1单元", "2单元"])
        room = rng.choice(["", "101室", "102室", "201室"])
        text = rng.choice([f"{estate}{rng.randint(1, 4)}幢{unit}{room}", f"{estate}南门",
                           "某某路88号"])
        address = parse_address(text)
        assert address is not None
        hint = rng.choice([None, "330105004001"])
        assert kept.resolve(address, hint) == fresh._resolve(address, hint, None), (step, text)
    assert kept._resolved  # answers were kept
