"""`hub services …`: seed the demo's precise services, list a jurisdiction's suggestions."""

import argparse
import asyncio

from hub.settings import Settings


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from hub.runtime import open_runtime
    from hub.services import demo_seed

    runtime = await open_runtime(settings)
    try:
        services = runtime.services
        if args.action == "seed-demo":
            done = await demo_seed.seed(runtime, args.jurisdiction)
            lines = [f"{done.communities} communities: {done.demand_rows} demand rows, "
                     f"{done.modules} modules, {done.projects} projects added"]
        else:
            groups = await services.groups.counts(args.jurisdiction)
            found = await services.suggestions.ranked([args.jurisdiction], groups)
            lines = [f"{s.community} {s.name} [{s.kind}] {s.suggestion}"
                     + (f"；{s.summary}" if s.summary else "")
                     for s in found if s.unmet or args.all]
        print("\n".join(lines) or "no suggestions")
    finally:
        await runtime.close()
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_run(args, settings))


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    services = sub.add_parser("services", help="precise services: demo seed, suggestions")
    services.add_argument("action", choices=["seed-demo", "suggestions"])
    services.add_argument("--jurisdiction", default="330105004", help="a street or community")
    services.add_argument("--all", action="store_true", help="revisions too, not only unmet")
    services.set_defaults(run=run)
