"""`hub records migrate | revision "message"`: the hub records' schema (hub.records.migrate)."""

import argparse
import asyncio
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError

from hub.errors import ConfigError
from hub.records import db as records_db
from hub.records.migrate import migrate, revision
from hub.settings import Settings


async def _migrate(settings: Settings) -> int:
    where = settings.hub_database_url.split("@")[-1]  # never the password
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = records_db.open_engine(settings.hub_database_url)
    try:
        await migrate(engine)
    except (OperationalError, InterfaceError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        raise ConfigError(f"cannot reach the records database at {where}: {reason}") from None
    finally:
        await engine.dispose()
    print(f"{where}: at the newest revision")
    return 0


def cmd_records(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "migrate":
        return asyncio.run(_migrate(settings))
    written = revision(args.message or "")
    print(f"wrote {written}" if written else "the models match the newest revision: nothing new")
    return 0


def add_parser(sub: Any) -> None:
    records = sub.add_parser("records", help="the hub records' schema: migrate, write a revision")
    records.add_argument("action", choices=["migrate", "revision"])
    records.add_argument("message", nargs="?", help="revision: what changed")
    records.set_defaults(run=cmd_records)
