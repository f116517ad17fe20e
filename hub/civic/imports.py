"""Bulk intake: 12345-hotline work orders (through the `hotline` connector) and the demo's
app/WeChat opinions. Both are idempotent: re-running adds only what is new.

Hotline orders were already accepted by the city: an address the hub cannot place is stored
with its place unresolved (jurisdiction from the order's community code) and counted in the
report, never dropped. Their replies, closing times and callback verdicts come along, so the
接诉即办 indicators cover the hotline too.
"""

import asyncio
import csv
from collections.abc import Iterable
from contextlib import aclosing
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.civic.intake import BatchReport, Submission, store_batch
from hub.civic.records import Opinion, Response
from hub.errors import ConfigError, ConnectorError

if TYPE_CHECKING:
    from hub.civic.service import Civic

HOTLINE = "12345市民服务热线"
# The callback verdict is satisfaction only (接诉即办 asks 是否解决 apart); whether the
# problem was solved comes from a work order's own 是否解决 field, mapped as `resolved`.
VERDICTS = {"满意": 5, "基本满意": 4, "不满意": 2}
SOLVED = {"是": True, "已解决": True, "解决": True, "否": False, "未解决": False}
BATCH = 500


def _merge(total: BatchReport, part: BatchReport) -> None:
    total.created += part.created
    total.existing += part.existing
    total.unresolved += part.unresolved
    total.rejected.extend(part.rejected)


def _order_submission(record: dict[str, Any]) -> Submission:
    return Submission(
        text=str(record.get("description") or ""), channel="hotline", client="hotline",
        idempotency_key=str(record["_key"]), address=record.get("address"),
        author=record.get("reporterPhone"), received_at=_aware(record.get("occurredAt")),
        external_ref=str(record["_key"]), allow_unresolved=True,
    )


def _aware(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.astimezone()
    return None


def _hotline_history(records: list[dict[str, Any]]) -> Any:
    """Carry the hotline's own reply, closing and callback verdict onto the new opinion."""

    def decorate(opinion: Opinion, i: int) -> list[Response]:
        record = records[i]
        opinion.jurisdiction = opinion.jurisdiction or record.get("_jurisdiction")
        answers = []
        replied, closed = _aware(record.get("respondedAt")), _aware(record.get("closedAt"))
        if replied:
            opinion.first_response_at, opinion.status = replied, "accepted"
            answers.append(_answer(opinion, "acknowledge", "热线已受理并联系诉求人", replied))
        if closed:
            opinion.closed_at, opinion.status = closed, "closed"
            answers.append(_answer(opinion, "final", "工单已办结", closed))
            verdict = VERDICTS.get(str(record.get("satisfaction") or "").strip())
            opinion.resolved = SOLVED.get(str(record.get("resolved") or "").strip())
            if verdict or opinion.resolved is not None:
                opinion.satisfaction, opinion.rated_at = verdict, closed
        opinion.updated_at = closed or replied or opinion.created_at
        return answers

    return decorate


def _answer(opinion: Opinion, kind: str, text: str, at: datetime) -> Response:
    status = "closed" if kind == "final" else "accepted"
    return Response(opinion_id=opinion.id, kind=kind, text=text, status_after=status,
                    responder=HOTLINE, created_at=at)


def _stopped(stopping: asyncio.Event | None) -> bool:
    return stopping is not None and stopping.is_set()


async def import_hotline(
    civic: "Civic", connector: str = "hotline", stopping: asyncio.Event | None = None
) -> BatchReport:
    """`stopping`: once set, no further batch is begun (each batch is stored whole)."""
    registry = civic.runtime.registry
    try:
        source = registry.get(connector)
    except ConnectorError:
        raise ConfigError(f"no department named {connector!r} (connectors/departments/)") from None
    report = BatchReport()
    async with aclosing(source.scan("work_order")) as batches:
        async for batch in batches:
            for start in range(0, len(batch), BATCH):
                if _stopped(stopping):
                    break
                records = batch[start : start + BATCH]
                subs = [_order_submission(r) for r in records]
                _merge(report, await store_batch(civic.intake, subs, _hotline_history(records)))
    civic.forget_backgrounds()
    return report


async def hotline_orders(civic: "Civic", connector: str = "hotline") -> int:
    """How many work orders the hotline holds (what a finished import has stored)."""
    page = await civic.runtime.registry.get(connector).query("work_order", {}, None, 0, 0)
    return page.total


def _demo_rows(path: Path) -> Iterable[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def _demo_submission(row: dict[str, str]) -> Submission:
    return Submission(
        text=row["text"], channel=row["channel"], client="demo", category=row["category"] or None,
        idempotency_key=row["idempotency_key"], address=row["address"] or None,
        author=row["author_phone"] or None, received_at=datetime.fromisoformat(row["created_at"]),
    )


async def import_demo_opinions(
    civic: "Civic", path: Path, stopping: asyncio.Event | None = None
) -> BatchReport:
    """The demo's app/WeChat/web/offline opinions (`demo/opinions/opinions.csv`);
    `stopping` as for `import_hotline`."""
    report = BatchReport()
    batch: list[Submission] = []
    for row in _demo_rows(path):
        batch.append(_demo_submission(row))
        if len(batch) == BATCH:
            if _stopped(stopping):
                break
            _merge(report, await store_batch(civic.intake, batch))
            batch = []
    if batch and not _stopped(stopping):
        _merge(report, await store_batch(civic.intake, batch))
    civic.forget_backgrounds()
    return report


def demo_opinions(path: Path) -> int:
    """How many opinions the demo's file holds."""
    return sum(1 for _ in _demo_rows(path))
