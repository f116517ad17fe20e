"""`hub token` and `hub policy check | explain | reload`."""

import argparse
import asyncio
import sys

from hub.access.cases import failing, load_cases
from hub.access.policy import Policy
from hub.access.tokens import DEV_SECRET, mint
from hub.errors import ConfigError
from hub.settings import Settings


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    """Print a development token (HS256 with HUB_JWT_SECRET, or the demo secret)."""
    secret = settings.jwt_secret or (DEV_SECRET if settings.demo else None)
    if secret is None or settings.production:
        raise ConfigError("hub token mints development tokens: set HUB_JWT_SECRET, not production")
    subject = args.subject or f"dev-{args.role[0]}"
    print(mint(secret, subject, args.role, args.jurisdiction, int(args.ttl_hours * 3600)))
    return 0


def cmd_policy(args: argparse.Namespace, settings: Settings) -> int:
    policy = Policy.from_dir(settings.policy_dir)
    if args.action == "check":
        return _check(policy, settings)
    if args.action == "explain":
        return _explain(policy, args)
    return asyncio.run(_reload(policy, settings))


def _check(policy: Policy, settings: Settings) -> int:
    cases = load_cases(settings.policy_dir)
    wrong = failing(policy, cases)
    for case, rule in wrong:
        decided = ", ".join(rule) if rule else "no rule matched (deny by default)"
        print(f"line {case.line}: expected {case}; decided by: {decided}", file=sys.stderr)
    print(f"policy {policy.version}: {len(cases) - len(wrong)}/{len(cases)} cases hold")
    return 1 if wrong else 0


def _explain(policy: Policy, args: argparse.Namespace) -> int:
    decision = policy.explain(args.role, args.jurisdiction, args.object, args.act)
    verdict = "allow" if decision.allowed else "deny"
    rule = "p, " + ", ".join(decision.rule) if decision.rule else "no rule matched: deny by default"
    print(f"{verdict}: {rule}")
    return 0


async def _reload(policy: Policy, settings: Settings) -> int:
    """Check the files (cases.csv); when they hold, tell the running hub processes."""
    if _check(policy, settings):
        print("not announced: hub processes keep the last good policy", file=sys.stderr)
        return 1
    url = settings.redis_url or settings.graph_url or _embedded_url(settings)
    if url is None:
        print(f"no hub runs on {settings.data_dir} (embedded defaults): nothing to notify; "
              "a hub started later reads these files")
        return 0
    print(f"{await _announce(url, policy.version)} hub process(es) notified")
    return 0


def _embedded_url(settings: Settings) -> str | None:
    """On embedded defaults, the FalkorDB (and Redis) of the `python app.py` running on the
    same data folder, as every hub command that needs it uses; None when none runs."""
    from hub import embedded

    server = embedded.running(settings.data_dir / "falkordb")
    return server.url if server else None


async def _announce(url: str, version: str) -> int:
    from redis.asyncio import Redis

    from hub.access.store import announce

    redis = Redis.from_url(url)
    try:
        return await announce(redis, version)
    finally:
        await redis.aclose()


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    token = sub.add_parser("token", help="mint a development token")
    token.add_argument("--role", action="append", required=True, help="repeat for more roles")
    token.add_argument("--jurisdiction", action="append", default=[], help="a code; repeatable")
    token.add_argument("--subject", help="the token's sub (a person id for residents)")
    token.add_argument("--ttl-hours", type=float, default=12.0)
    token.set_defaults(run=cmd_token)
    policy = sub.add_parser("policy", help="check, explain or reload the access policies")
    actions = policy.add_subparsers(dest="action", required=True)
    actions.add_parser("check", help="run policies/cases.csv against the policy")
    explain = actions.add_parser("explain", help="print the rule that decides one request")
    for name in ("role", "jurisdiction", "object", "act"):
        explain.add_argument(name)
    actions.add_parser("reload", help="check the files, then notify every hub process")
    policy.set_defaults(run=cmd_policy)
