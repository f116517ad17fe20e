"""Settings from the environment, read once at start-up; bad values fail loudly."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from hub.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_LINK_SECRET = "dev-only-link-secret"  # demo and tests; refused in production (hub.production)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value else default


def _env_flag(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0") not in ("0", "false", "no")


@dataclass(frozen=True)
class Settings:
    """Where everything lives. Empty URLs mean: run the embedded service in the data dir."""

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = REPO_ROOT / ".data"
    connectors_dir: Path = REPO_ROOT / "connectors" / "departments"
    redis_url: str | None = None
    graph_url: str | None = None
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str = "neo4j"
    graph_name: str = "hub"
    database_url: str | None = None
    link_secret: str = DEV_LINK_SECRET
    demo: bool = True
    max_page_size: int = 1000
    env: str = "development"
    jwt_secret: str | None = None
    jwks_url: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    policy_dir: Path = REPO_ROOT / "policies"
    ide_assets_dir: Path = REPO_ROOT / "ide" / "node_modules"  # GraphiQL's, from `make run`
    web_dist_dir: Path = REPO_ROOT / "web" / "dist"  # the workbench and residents' page (hub.webui)
    policy_poll_seconds: int = 2
    enforce_access: bool = True
    audit_retention_days: int = 183
    answer_cache_seconds: int = 30  # whole answers of entity reads, per caller; 0: off
    refusals_per_minute: int = 20  # bad tokens logged one by one per address (hub.access.refusals)
    http_log: bool = False  # uvicorn's line per request (the access log and metrics have them)
    metrics_port: int = 0  # Prometheus /metrics on its own port (hub.serve); 0: not served
    metrics_host: str = "127.0.0.1"  # where that port listens: loopback unless said otherwise
    trusted_proxies: str = ""  # addresses whose X-Forwarded-For is believed; none by default
    otlp_endpoint: str | None = None  # OpenTelemetry traces go here (OTLP/HTTP); None: off
    linking_file: Path | None = None  # [linking] thresholds; None: hub/linking/linking.toml
    limits_file: Path | None = None  # per-role request limits; None: hub/limits.toml
    mqtt_url: str | None = None  # the city's broker; None: the embedded one (demo) or none
    streams: bool = True  # stream departments' ingest in this process (hub.streams)
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> "Settings":
        data_dir = Path(_env("HUB_DATA_DIR", str(cls.data_dir)) or "").resolve()
        production = _env("HUB_ENV") == "production"
        return cls(
            host=_env("HUB_HOST", cls.host) or cls.host,
            port=_env_int("HUB_PORT", cls.port),
            data_dir=data_dir,
            connectors_dir=Path(_env("HUB_CONNECTORS_DIR", str(cls.connectors_dir)) or ""),
            redis_url=_env("REDIS_URL"),
            graph_url=_env("FALKORDB_URL"),
            neo4j_uri=_env("NEO4J_URI"),
            neo4j_user=_env("NEO4J_USER", cls.neo4j_user) or cls.neo4j_user,
            neo4j_password=_env("NEO4J_PASSWORD", cls.neo4j_password) or cls.neo4j_password,
            graph_name=_env("HUB_GRAPH_NAME", cls.graph_name) or cls.graph_name,
            database_url=_env("DATABASE_URL"),
            link_secret=_env("HUB_LINK_SECRET", cls.link_secret) or cls.link_secret,
            demo=_env_flag("HUB_DEMO", not production),  # demo departments and tokens
            **_access_from_env(),
            extra={"open311_keys": _env("HUB_OPEN311_KEYS", "") or "",
                   "civic_offices": _env("HUB_CIVIC_OFFICES", "") or "",
                   "oidc_client_id": _env("HUB_OIDC_CLIENT_ID", "") or "",
                   "alert_rules_dir": _env("HUB_ALERT_RULES_DIR", "") or "",
                   "alert_tick_seconds": _env("HUB_ALERT_TICK_SECONDS", "") or ""},
            linking_file=Path(linking) if (linking := _env("HUB_LINKING_FILE")) else None,
            limits_file=Path(limits) if (limits := _env("HUB_LIMITS_FILE")) else None,
            answer_cache_seconds=_env_int("HUB_ANSWER_CACHE_SECONDS", cls.answer_cache_seconds),
            refusals_per_minute=_env_int("HUB_REFUSALS_PER_MINUTE", cls.refusals_per_minute),
            http_log=_env_flag("HUB_HTTP_LOG", False),
            metrics_port=_env_int("HUB_METRICS_PORT", cls.metrics_port),
            metrics_host=_env("HUB_METRICS_HOST", cls.metrics_host) or cls.metrics_host,
            trusted_proxies=_env("HUB_TRUSTED_PROXIES", "") or "",
            mqtt_url=_env("HUB_MQTT_URL"),
            streams=_env_flag("HUB_STREAMS", True),
            otlp_endpoint=_env("HUB_OTLP_ENDPOINT"),
        )

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def hub_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'hub.sqlite'}"


def _access_from_env() -> dict[str, object]:
    """Authentication, policies and the access log (see README "Data boundaries")."""
    env = _env("HUB_ENV", Settings.env) or Settings.env
    enforce = _env_flag("HUB_ACCESS_ENFORCE", True)
    if not enforce and env == "production":
        raise ConfigError("HUB_ACCESS_ENFORCE=0 is refused when HUB_ENV=production")
    return {
        "env": env,
        "jwt_secret": _env("HUB_JWT_SECRET"),
        "jwks_url": _env("HUB_JWKS_URL"),
        "jwt_audience": _env("HUB_JWT_AUDIENCE"),
        "jwt_issuer": _env("HUB_JWT_ISSUER"),
        "policy_dir": Path(_env("HUB_POLICY_DIR", str(Settings.policy_dir)) or ""),
        "policy_poll_seconds": _env_int("HUB_POLICY_POLL_SECONDS", Settings.policy_poll_seconds),
        "enforce_access": enforce,
        "audit_retention_days": _env_int("HUB_AUDIT_RETENTION_DAYS", Settings.audit_retention_days),
    }
