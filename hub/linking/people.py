"""Which records are the same person: by keyed ID number, else by scored evidence, never a guess.

A record with a valid ID number is that ID's person. Without one (property owners, a mistyped
ID), the record is scored against the people who share its phone or its room: the weights and
thresholds of `LinkingConfig` decide between merging, keeping the pair for review, or a new
person. Only keyed hashes are compared, so the same index can be rebuilt from the graph.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from hub.linking.config import LinkingConfig
from hub.linking.keys import Keyring
from hub.linking.names import sound_of
from hub.linking.normalize import id_problem, normalize_id_number, normalize_name, normalize_phone


@dataclass(frozen=True, slots=True)
class PersonKeys:
    """The pseudonymous linking keys of one record (or one person)."""

    id_key: str | None = None
    phone_key: str | None = None
    name_key: str | None = None
    sound_key: str | None = None

    def props(self) -> dict[str, str]:
        """As graph properties; absent keys are left out."""
        names = ("idKey", "phoneKey", "nameKey", "soundKey")
        values = (self.id_key, self.phone_key, self.name_key, self.sound_key)
        return {n: v for n, v in zip(names, values, strict=True) if v}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person the record may be, short of the merge threshold: kept for review."""

    person: str
    score: float
    evidence: str


@dataclass(frozen=True, slots=True)
class Resolution:
    person: str
    keys: PersonKeys
    problem: str | None = None
    candidates: tuple[Candidate, ...] = ()


@dataclass
class Known:
    """What the index knows of one person: every key any of their records carried."""

    id_key: str | None = None
    phones: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    sounds: set[str] = field(default_factory=set)
    rooms: set[str] = field(default_factory=set)


class PersonIndex:
    def __init__(self, keys: Keyring, config: LinkingConfig) -> None:
        self.keys = keys
        self.config = config
        self.people: dict[str, Known] = {}
        self.by_id_key: dict[str, str] = {}
        self.by_phone: dict[str, set[str]] = defaultdict(set)
        self.by_room: dict[str, set[str]] = defaultdict(set)
        self.by_ref: dict[str, str] = {}
        self.merge_into: dict[str, str] = {}  # ref → person, confirmed by a reviewer
        self.kept_apart: dict[str, set[str]] = defaultdict(set)  # ref → persons it is not
        # An ID number, phone or name recurs across departments far apart in a run, among a
        # city's million: the keyring's bounded cache would have dropped it. These last the run.
        self._keys: dict[str, dict[str, str]] = defaultdict(dict)  # purpose → value → key

    def keys_of(self, record: dict[str, object]) -> tuple[PersonKeys, str | None]:
        """The record's linking keys, and why its ID could not be used (if it could not)."""
        raw_id = record.get("idNumber")
        raw_id = raw_id if isinstance(raw_id, str) else None
        id18 = normalize_id_number(raw_id)
        phone = normalize_phone(str(record.get("phone") or ""))
        name = normalize_name(str(record.get("name") or ""))
        key = self._key
        return PersonKeys(
            id_key=key("id", id18) if id18 else None,
            phone_key=key("phone", phone) if phone else None,
            name_key=key("name", name) if name else None,
            sound_key=key("sound", sound_of(name)) if name else None,
        ), (None if id18 else id_problem(raw_id))

    def _key(self, purpose: str, value: str) -> str:
        known = self._keys[purpose]
        key = known.get(value)
        if key is None:
            key = known[value] = self.keys.key(purpose, value)
        return key

    def known_by_id(self, keys: PersonKeys) -> str | None:
        return self.by_id_key.get(keys.id_key) if keys.id_key else None

    def resolve(
        self, ref: str, keys: PersonKeys, problem: str | None, room: str | None
    ) -> Resolution:
        """The person a source record is; `room` is the room its address or reference names."""
        if keys.id_key:
            person = self.by_id_key.get(keys.id_key) or self.keys.hub_id(
                "prs", f"id:{keys.id_key}"
            )
            candidates: tuple[Candidate, ...] = ()
        else:
            person, candidates = self._by_evidence(ref, keys, room)
        self.remember(person, keys, room)
        self.by_ref[ref] = person
        return Resolution(person, keys, problem, candidates)

    def remember(self, person: str, keys: PersonKeys, room: str | None = None) -> None:
        known = self.people.setdefault(person, Known())
        if keys.id_key:
            known.id_key = known.id_key or keys.id_key
            self.by_id_key.setdefault(keys.id_key, person)
        if keys.phone_key:
            known.phones.add(keys.phone_key)
            self.by_phone[keys.phone_key].add(person)
        if keys.name_key:
            known.names.add(keys.name_key)
        if keys.sound_key:
            known.sounds.add(keys.sound_key)
        if room:
            self.place(person, room)

    def place(self, person: str, room: str) -> None:
        """The person lives at or owns `room` (evidence for records that name the room)."""
        self.people.setdefault(person, Known()).rooms.add(room)
        self.by_room[room].add(person)

    def _by_evidence(
        self, ref: str, keys: PersonKeys, room: str | None
    ) -> tuple[str, tuple[Candidate, ...]]:
        confirmed = self.merge_into.get(ref)
        if confirmed and confirmed in self.people:
            return confirmed, ()
        scored = sorted(self._scores(ref, keys, room), key=lambda c: (-c.score, c.person))
        best = scored[0] if scored else None
        tied = len(scored) > 1 and scored[1].score == best.score if best else False
        if best and best.score >= self.config.auto_merge and not tied:
            return best.person, ()
        review = tuple(c for c in scored if c.score >= self.config.review)
        return self.keys.hub_id("prs", f"ref:{ref}"), review

    def _scores(self, ref: str, keys: PersonKeys, room: str | None) -> list[Candidate]:
        block = set(self.by_phone.get(keys.phone_key or "", ()))
        block |= self.by_room.get(room or "", set())
        block -= self.kept_apart.get(ref, set())
        return [self._score(person, keys, room) for person in block]

    def _score(self, person: str, keys: PersonKeys, room: str | None) -> Candidate:
        known, w = self.people[person], self.config.weights
        score, evidence = 0.0, []
        if keys.phone_key and keys.phone_key in known.phones:
            score, evidence = score + w.phone, [*evidence, "phone"]
        if keys.name_key and keys.name_key in known.names:
            score, evidence = score + w.name, [*evidence, "name"]
        elif keys.sound_key and keys.sound_key in known.sounds:
            score, evidence = score + w.name_sound, [*evidence, "name_sound"]
        elif keys.name_key:
            score, evidence = score + w.name_differs, [*evidence, "name_differs"]
        if room and room in known.rooms:
            score, evidence = score + w.room, [*evidence, "room"]
        return Candidate(person, round(score, 4), "+".join(evidence))

    def by_phone_only(self, phone: str | None) -> str | None:
        """The one person with this phone, for event reporters; None when shared or unknown."""
        normalized = normalize_phone(phone or "")
        if not normalized:
            return None
        found = self.by_phone.get(self._key("phone", normalized), set())
        return next(iter(found)) if len(found) == 1 else None
