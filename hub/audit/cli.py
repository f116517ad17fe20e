"""`hub audit verify | export | prune`: the access log, from the hub records database."""

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.audit.export import LogFilter, csv_chunks
from hub.audit.log import AccessLog
from hub.audit.verify import verify
from hub.records import db as records_db
from hub.settings import Settings


async def _with_log(settings: Settings, work: Callable[[AccessLog], Awaitable[int]]) -> int:
    engine: AsyncEngine = records_db.open_engine(settings.hub_database_url)
    try:
        await records_db.create_tables(engine)
        return await work(AccessLog(engine, records_db.sessions(engine)))
    finally:
        await engine.dispose()


async def _verify(log: AccessLog) -> int:
    report = await verify(log.sessions)
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def _export(args: argparse.Namespace) -> Callable[[AccessLog], Awaitable[int]]:
    async def work(log: AccessLog) -> int:
        where = LogFilter(args.principal, args.decision, args.since, args.until)
        with contextlib.ExitStack() as stack:
            out = sys.stdout
            if args.output:
                out = stack.enter_context(Path(args.output).open("w", encoding="utf-8", newline=""))
            async for chunk in csv_chunks(log.sessions, where):
                out.write(chunk)
        return 0

    return work


def _prune(days: int) -> Callable[[AccessLog], Awaitable[int]]:
    async def work(log: AccessLog) -> int:
        removed = await log.prune(days)
        print(f"removed {removed} entries older than {days} days; the chain stays verifiable")
        return 0

    return work


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "verify":
        return asyncio.run(_with_log(settings, _verify))
    if args.action == "export":
        return asyncio.run(_with_log(settings, _export(args)))
    days = args.days if args.days is not None else settings.audit_retention_days
    return asyncio.run(_with_log(settings, _prune(days)))


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit = sub.add_parser("audit", help="verify, export or prune the access log")
    actions = audit.add_subparsers(dest="action", required=True)
    actions.add_parser("verify", help="detect altered, removed or reordered entries")
    export = actions.add_parser("export", help="the access log as CSV")
    export.add_argument("--output", help="a file (default: standard output)")
    export.add_argument("--since", help="ISO 8601 UTC, e.g. 2026-01-01T00:00:00Z")
    export.add_argument("--until")
    export.add_argument("--principal")
    export.add_argument("--decision")
    prune = actions.add_parser(
        "prune", help="drop entries past retention (HUB_AUDIT_RETENTION_DAYS)"
    )
    prune.add_argument("--days", type=int)
    audit.set_defaults(run=cmd_audit)
