"""Which records are the same person: by keyed ID number, else by phone and name, never a guess."""

from collections import defaultdict
from dataclasses import dataclass, field

from hub.linking.keys import Keyring
from hub.linking.normalize import normalize_id_number, normalize_name, normalize_phone


def similar_names(a: str, b: str) -> bool:
    """Equal, or one character apart at the same length (同音字 typos), and never empty."""
    if not a or not b or len(a) != len(b):
        return False
    return sum(x != y for x, y in zip(a, b, strict=True)) <= 1


@dataclass
class PersonIndex:
    keys: Keyring
    by_id_key: dict[str, str] = field(default_factory=dict)
    by_phone: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    by_ref: dict[str, str] = field(default_factory=dict)

    def resolve(
        self, ref: str, record: dict[str, object]
    ) -> tuple[str, dict[str, str], str | None]:
        """(person id, link keys to store, problem or None) for one source record."""
        raw_id = record.get("idNumber")
        id18 = normalize_id_number(raw_id if isinstance(raw_id, str) else None)
        phone = normalize_phone(str(record.get("phone") or "")) or None
        name = normalize_name(str(record.get("name") or ""))
        link: dict[str, str] = {}
        if phone:
            link["phoneKey"] = self.keys.phone_key(phone)
        problem = "unparseable_id" if raw_id and id18 is None else None
        if id18:
            link["idKey"] = self.keys.id_key(id18)
            person = self.by_id_key.setdefault(
                link["idKey"], self.keys.hub_id("prs", f"id:{link['idKey']}")
            )
        else:
            person = self._by_phone_and_name(link.get("phoneKey"), name) or self.keys.hub_id(
                "prs", f"ref:{ref}"
            )
        if "phoneKey" in link:
            self.by_phone[link["phoneKey"]].append((person, name))
        self.by_ref[ref] = person
        return person, link, problem

    def _by_phone_and_name(self, phone_key: str | None, name: str) -> str | None:
        if phone_key is None:
            return None
        matches = {
            pid for pid, known in self.by_phone.get(phone_key, []) if similar_names(known, name)
        }
        return matches.pop() if len(matches) == 1 else None

    def by_phone_only(self, phone: str | None) -> str | None:
        """The one person with this phone, for event reporters; None when shared or unknown."""
        normalized = normalize_phone(phone or "")
        if not normalized:
            return None
        found = {pid for pid, _ in self.by_phone.get(self.keys.phone_key(normalized), [])}
        return found.pop() if len(found) == 1 else None
