"""`hub rules check | test --since …`: the rule files held against the policy, and what they
would have fired over the stored stream history."""

import argparse
import asyncio
import sys
from datetime import datetime

from hub.settings import Settings


def _check(settings: Settings) -> int:
    from hub.access.policy import Policy
    from hub.alerts import check, inputs
    from hub.alerts.rules import load_dir
    from hub.alerts.service import rules_dir
    from hub.errors import ConfigError

    directory = rules_dir(settings)
    try:
        rules = load_dir(directory)
    except ConfigError as exc:
        print(f"rules refused: {exc.message}", file=sys.stderr)
        return 1
    policy = Policy.from_dir(settings.policy_dir)
    bad = [p for rule in rules for p in check.problems(rule, policy)]
    for line in bad:
        print(f"refused: {line}", file=sys.stderr)
    for rule in rules:
        who = ", ".join(f"{r.role}@{r.level}" for r in rule.recipients)
        waiting = rule.kind == "capacity" and inputs.provider(rule.input) is None
        note = f" (input {rule.input} is provided by its domain at start-up)" if waiting else ""
        print(f"{rule.id:<22} {rule.kind:<9} → {who}{note}")
    print(f"{len(rules)} rules, policy {policy.version}: " + ("refused" if bad else "hold"))
    return 1 if bad else 0


async def _test(settings: Settings, since: datetime, until: datetime | None) -> int:
    from hub import clock
    from hub.alerts.render import render
    from hub.alerts.replay import replay
    from hub.runtime import open_runtime

    runtime = await open_runtime(settings)
    try:
        alerts = runtime.alerts
        if alerts.rules.error:
            print(f"rules refused: {alerts.rules.error}", file=sys.stderr)
            return 1
        firings = await replay(runtime, alerts.rules.rules, since, until or clock.now())
        for firing in firings:
            _title, message = await render(alerts.world, firing)
            print(f"{firing.fired_at.isoformat()}  {firing.rule.id:<20} {firing.subject}  "
                  f"{message}")
        print(f"{len(firings)} alerts would have fired since {since.isoformat()}")
    finally:
        await runtime.close()
    return 0


def _when(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not ISO 8601: {text}") from None
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError("give an offset, e.g. 2026-06-01T00:00:00+08:00")
    return at


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "check":
        return _check(settings)
    if args.since is None:
        print("hub rules test needs --since", file=sys.stderr)
        return 2
    return asyncio.run(_test(settings, args.since, args.until))


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    rules = sub.add_parser("rules", help="early-warning rules: check the files, replay history")
    rules.add_argument("action", choices=["check", "test"])
    rules.add_argument("--since", type=_when, default=None, help="ISO 8601 with offset (test)")
    rules.add_argument("--until", type=_when, default=None, help="default: now (test)")
    rules.set_defaults(run=run)
