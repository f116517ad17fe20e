"""Which record decides a person's jurisdiction (and keys): where they live, not what they own.

The record types that give a residence (`residenceAddress`: the police registry) rank first,
then the others by their department's priority: a flat's owner record places only people the
hub knows no residence for. The best-ranked record of a person decides; the others only fill
what it left empty. A full run sees every record; an incremental run sees the changed ones on
top of the graph, where a record of a better rank that this run does not see decided in an
earlier run: a worse one then neither re-decides nor fills (it cannot tell what is whose).
So a run that reads only the property records leaves every resident where they live.
"""

from typing import Any

RESIDENCE = "residenceAddress"


class Jurisdictions:
    def __init__(self, ranks: dict[str, int]) -> None:
        """`ranks`: 'connector/record type' → rank, lower deciding first."""
        self.ranks = ranks
        self._earlier: dict[str, int] = {}  # person → best rank among its refs in the graph
        self._now: dict[str, int] = {}  # person → rank of the record that decides, this run

    @classmethod
    def of(cls, registry: Any) -> "Jurisdictions":
        """Ranks for the Person record types of `registry` (which lists them by priority)."""
        sources = registry.sources("Person")
        ordered = sorted(sources, key=lambda s: not s.config.provides(RESIDENCE))  # stable
        return cls({f"{s.name}/{s.record_type}": rank for rank, s in enumerate(ordered)})

    def known(self, person: str, ref: str) -> None:
        """A source ref of `person` read back from the graph (incremental runs)."""
        rank = self._rank(ref.rsplit("/", 1)[0])
        self._earlier[person] = min(rank, self._earlier.get(person, rank))

    def decides(self, person: str, source: str) -> bool:
        """Whether a record of `source` is the best seen for `person`, and no better one is
        unseen: its values then replace those of worse records of this run."""
        rank = self._rank(source)
        if rank >= self._now.get(person, len(self.ranks) + 1) or not self.fills(person, source):
            return False
        self._now[person] = rank
        return True

    def fills(self, person: str, source: str) -> bool:
        """Whether a record of `source` may fill what better records left empty: not when a
        better record of the graph is unseen by this run."""
        rank = self._rank(source)
        return rank <= self._earlier.get(person, rank)

    def _rank(self, source: str) -> int:
        return self.ranks.get(source, len(self.ranks))
