"""`hub`: operations on the hub (also `python -m hub`)."""

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from hub.alerts import cli as alerts_cli
from hub.civic import cli as civic_cli
from hub.errors import HubError
from hub.records import cli as records_cli
from hub.services import cli as services_cli
from hub.settings import REPO_ROOT, Settings

SCHEMA_FILE = REPO_ROOT / "schema.graphql"


def served_sdl() -> str:
    from resolvers.schema import build_schema

    return build_schema().as_str() + "\n"


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    target = Path(args.output)
    if args.action == "check":
        if not target.exists() or target.read_text() != served_sdl():
            print(f"{target} is stale: run `hub schema export`", file=sys.stderr)
            return 1
        print(f"{target} matches the served schema")
        return 0
    target.write_text(served_sdl())
    print(f"wrote {target}")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from hub import demo_stack

    demo_stack.generate(settings.data_dir, args.residents, args.seed)
    return 0


async def _link(settings: Settings, quiet: bool, changed: bool) -> int:
    from tqdm import tqdm

    from hub import demo_stack
    from hub.linking.run import link
    from hub.runtime import open_runtime

    systems = demo_stack.DemoSystems()
    if settings.demo:
        systems.start(settings.data_dir)
        import os

        os.environ.update({k: v for k, v in systems.env.items() if k not in os.environ})
    runtime = await open_runtime(settings)
    bar = tqdm(unit=" records", disable=quiet)
    try:
        report = await link(
            runtime, lambda source, n: (bar.set_description(source), bar.update(n)), changed
        )
    finally:
        bar.close()
        await runtime.close()
        systems.stop()
    print("\n".join(report.lines()))
    return 2 if report.unavailable else 0  # linked what could be read; say so to schedulers


def cmd_link(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_link(settings, args.quiet, args.changed))


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from hub.serve import serve
    from hub.workers import default_workers

    serve(settings, args.workers or default_workers())
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="hub", description="社区数据枢纽 operations")
    sub = top.add_subparsers(dest="command", required=True)
    serving = sub.add_parser("serve", help="serve the hub (same as python app.py)")
    serving.add_argument(
        "--workers", type=int, default=0,
        help="hub processes on one socket (default: HUB_WORKERS, else one per core)",
    )
    serving.set_defaults(run=cmd_serve)
    schema = sub.add_parser("schema", help="export or check schema.graphql")
    schema.add_argument("action", choices=["export", "check"])
    schema.add_argument("--output", default=str(SCHEMA_FILE))
    schema.set_defaults(run=cmd_schema)
    demo = sub.add_parser("demo", help="generate the demo departments' data")
    demo.add_argument("action", choices=["generate"])
    demo.add_argument("--residents", type=int, default=20_000)
    demo.add_argument("--seed", type=int, default=42)
    demo.set_defaults(run=cmd_demo)
    link = sub.add_parser("link", help="scan the departments and (re)build the link graph")
    link.add_argument("--quiet", action="store_true", help="no progress bar")
    link.add_argument(
        "--changed",
        action="store_true",
        help="only records changed since each source's last run (no removals detected)",
    )
    link.set_defaults(run=cmd_link)
    from hub.access import cli as access_cli
    from hub.audit import cli as audit_cli

    access_cli.add_parsers(sub)
    audit_cli.add_parsers(sub)
    civic_cli.add_parser(sub)
    alerts_cli.add_parser(sub)
    services_cli.add_parser(sub)
    from hub.streams import cli as streams_cli

    streams_cli.add_parser(sub)
    records_cli.add_parser(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args, Settings.from_env()))
    except HubError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
