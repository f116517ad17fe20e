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
    from redis.asyncio import Redis

    from hub.access.store import announce

    url = settings.redis_url or settings.graph_url
    if not url:
        raise ConfigError("set REDIS_URL to notify hub processes (they also poll their files)")
    redis = Redis.from_url(url)
    try:
        listeners = await announce(redis, policy.version)
    finally:
        await redis.aclose()
    print(f"policy {policy.version} checked; {listeners} hub process(es) notified")
    return 0


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
