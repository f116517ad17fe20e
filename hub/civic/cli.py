"""`hub opinions …`: bulk imports, placing what was stored without a place, and the monthly
agenda, from the command line."""

import argparse
import asyncio

from hub.settings import Settings


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from hub import clock
    from hub.civic import imports, placing
    from hub.civic.periods import month, month_of
    from hub.runtime import open_runtime

    runtime = await open_runtime(settings)
    try:
        civic = runtime.civic
        if args.action == "import-hotline":
            lines = (await imports.import_hotline(civic)).lines()
        elif args.action == "import-demo":
            path = settings.data_dir / "demo" / "opinions" / "opinions.csv"
            lines = (await imports.import_demo_opinions(civic, path)).lines()
        elif args.action == "place-unplaced":
            lines = (await placing.place_unplaced(civic)).lines()
        else:
            period = month(args.month) if args.month else month_of(clock.now()).before(1)
            items = await civic.agenda.generate(args.jurisdiction, period, args.top)
            lines = [f"#{item.id} [{item.status}] {item.title}" for item in items]
        print("\n".join(lines))
    finally:
        await runtime.close()
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_run(args, settings))


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    opinions = sub.add_parser("opinions", help="residents' opinions: imports, places, agenda")
    opinions.add_argument(
        "action", choices=["import-hotline", "import-demo", "place-unplaced", "agenda"]
    )
    opinions.add_argument("--jurisdiction", default="330105004", help="for agenda")
    opinions.add_argument("--month", default=None, help="YYYY-MM, for agenda (default: last month)")
    opinions.add_argument("--top", type=int, default=5)
    opinions.set_defaults(run=run)
