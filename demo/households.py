"""Household compositions (户): who lives together, with ages, genders and relations to the head."""

from random import Random

# (kind, weight, share of such households that came from outside Zhejiang)
HOUSEHOLD_KINDS: list[tuple[str, float, float]] = [
    ("single_elder", 8, 0.02),
    ("elder_couple", 13, 0.03),
    ("single_young", 12, 0.6),
    ("shared_rental", 4, 0.85),
    ("young_couple", 8, 0.4),
    ("nuclear", 28, 0.25),
    ("parents_adult_child", 12, 0.08),
    ("three_generations", 11, 0.1),
    ("elder_with_child", 5, 0.03),
]
_KINDS = [k for k, _, _ in HOUSEHOLD_KINDS]
_WEIGHTS = [w for _, w, _ in HOUSEHOLD_KINDS]
MIGRANT_SHARE = {k: m for k, _, m in HOUSEHOLD_KINDS}
MARRIAGE_AGE = {"男": 22, "女": 20}  # legal minimum in China

# A member: (age, gender, relation to head, family) where family says whose surname they carry:
# "head", "own" (their own family's) or "father" (the household's father's).
Member = tuple[int, str, str, str]

_ELDER_AGES = list(range(60, 101))
_ELDER_WEIGHTS = [2.718 ** -(((a - 60) / 19) ** 2) for a in _ELDER_AGES]


def elder_age(rng: Random, lo: int, hi: int) -> int:
    ages = _ELDER_AGES[lo - 60 : hi - 59]
    return rng.choices(ages, weights=_ELDER_WEIGHTS[lo - 60 : hi - 59])[0]


def _other(gender: str) -> str:
    return "女" if gender == "男" else "男"


def _couple(rng: Random, age: int, male_head: float = 0.8) -> list[Member]:
    head = "男" if rng.random() < male_head else "女"
    spouse = _other(head)
    spouse_age = max(MARRIAGE_AGE[spouse], age + rng.randint(-4, 4))
    return [(age, head, "户主", "own"), (spouse_age, spouse, "配偶", "own")]


def _children(rng: Random, parent_age: int, count: int, min_age: int = 0) -> list[Member]:
    lo = max(min_age, parent_age - 40)
    hi = max(lo, parent_age - 24)
    return [(rng.randint(lo, hi), rng.choice("男女"), "子女", "father") for _ in range(count)]


def _elder_parents(rng: Random, child_age: int) -> list[Member]:
    father_age = min(100, max(60, child_age + rng.randint(24, 34)))
    mother_age = min(100, max(58, father_age + rng.randint(-5, 2)))
    both = [(father_age, "男", "父母", "head"), (mother_age, "女", "父母", "own")]
    if rng.random() < 0.45:
        return both
    return [rng.choice(both)] if father_age < 80 else [both[1]]


def compose(rng: Random, kind: str) -> list[Member]:
    """Members of one household of the given kind, head first."""
    if kind == "single_elder":
        return [(elder_age(rng, 65, 100), "女" if rng.random() < 0.68 else "男", "户主", "own")]
    if kind == "elder_couple":
        return _couple(rng, elder_age(rng, 60, 94), 0.9)
    if kind == "single_young":
        return [(rng.randint(20, 40), rng.choice("男女"), "户主", "own")]
    if kind == "shared_rental":
        return [(rng.randint(20, 35), rng.choice("男女"), "户主" if i == 0 else "其他", "own")
                for i in range(rng.randint(2, 4))]
    if kind == "young_couple":
        return _couple(rng, rng.randint(24, 38))
    if kind == "nuclear":
        age = rng.randint(28, 54)
        return _couple(rng, age) + _children(rng, age, 1 if rng.random() < 0.65 else 2)
    if kind == "parents_adult_child":
        age = rng.randint(45, 66)
        return _couple(rng, age) + _children(rng, age, 1, min_age=18)
    if kind == "three_generations":
        age = rng.randint(30, 46)
        members = _couple(rng, age, 0.85) + _children(rng, age, rng.choice([1, 1, 2]))
        return members + _elder_parents(rng, age)
    if kind == "elder_with_child":
        age = rng.randint(38, 62)
        return [(age, rng.choice("男女"), "户主", "own"), *_elder_parents(rng, age)]
    raise ValueError(f"unknown household kind {kind!r}")


def pick_kind(rng: Random) -> str:
    return rng.choices(_KINDS, weights=_WEIGHTS)[0]
