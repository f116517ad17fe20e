"""Ground truth: which real-world entity every generated record is about.

`truth.csv` (the contract): connector,record_type,key,entity_kind,true_id.
`truth_links.csv` (extra): connector,record_type,key,relation,true_id — where a record points
at another entity: the room an address denotes, the person who reported a case, and so on.
"""

import csv
from pathlib import Path
from types import TracebackType
from typing import Self

TRUTH_HEADER = ["connector", "record_type", "key", "entity_kind", "true_id"]
LINKS_HEADER = ["connector", "record_type", "key", "relation", "true_id"]


def person_id(n: int) -> str:
    return f"person:{n}"


def building_id(building_id: str) -> str:
    return f"place:{building_id}"


class Truth:
    """Streams truth rows to disk as records are generated."""

    def __init__(self, out_dir: Path) -> None:
        self._files = [
            open(out_dir / "truth.csv", "w", newline="", encoding="utf-8"),  # noqa: SIM115
            open(out_dir / "truth_links.csv", "w", newline="", encoding="utf-8"),  # noqa: SIM115
        ]
        self._rows = csv.writer(self._files[0], lineterminator="\n")
        self._links = csv.writer(self._files[1], lineterminator="\n")
        self._rows.writerow(TRUTH_HEADER)
        self._links.writerow(LINKS_HEADER)
        self.counts: dict[str, int] = {}

    def add(self, connector: str, record_type: str, key: str, kind: str, true_id: str) -> None:
        self._rows.writerow((connector, record_type, key, kind, true_id))
        self.counts[record_type] = self.counts.get(record_type, 0) + 1

    def link(self, connector: str, record_type: str, key: str, relation: str,
             true_id: str) -> None:
        self._links.writerow((connector, record_type, key, relation, true_id))

    def close(self) -> None:
        for f in self._files:
            f.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
