"""`hub opinions …`: bulk imports and the monthly agenda, from the command line."""

import argparse
import asyncio

from hub.settings import Settings


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from hub.civic import imports
    from hub.civic.periods import month
    from hub.runtime import open_runtime

    runtime = await open_runtime(settings)
    try:
        civic = runtime.civic
        if args.action == "import-hotline":
            report = await imports.import_hotline(civic)
        elif args.action == "import-demo":
            path = settings.data_dir / "demo" / "opinions" / "opinions.csv"
            report = await imports.import_demo_opinions(civic, path)
        else:
            items = await civic.agenda.generate(args.jurisdiction, month(args.month), args.top)
            for item in items:
                print(f"#{item.id} [{item.status}] {item.title}")
            return 0
        print("\n".join(report.lines()))
    finally:
        await runtime.close()
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_run(args, settings))


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    opinions = sub.add_parser("opinions", help="residents' opinions: imports, agenda")
    opinions.add_argument("action", choices=["import-hotline", "import-demo", "agenda"])
    opinions.add_argument("--jurisdiction", default="330105004", help="for agenda")
    opinions.add_argument("--month", default=None, help="YYYY-MM, for agenda")
    opinions.add_argument("--top", type=int, default=5)
    opinions.set_defaults(run=run)
