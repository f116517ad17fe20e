"""Long-lived clients, opened once in the lifespan and closed there."""

import logging
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.config import load_departments
from connectors.registry import Registry
from graph.falkordb_store import FalkorDBStore
from graph.links import LinkGraph
from graph.schema import falkordb_statements, neo4j_statements
from graph.store import GraphStore
from hub import embedded, production, tracing
from hub.access.store import PolicyStore
from hub.answers import AnswerCache
from hub.audit.log import AccessLog
from hub.cache import RecordCache
from hub.errors import ConfigError, GraphUnavailable
from hub.limits import LimitBook, Pool
from hub.limits import load as load_limits
from hub.linking.keys import Keyring
from hub.records import db as records_db
from hub.redis_pool import packing_pool
from hub.sealed import Seal
from hub.settings import Settings

log = logging.getLogger("hub")


@dataclass
class Runtime:
    settings: Settings
    registry: Registry
    store: GraphStore
    redis: Redis
    keys: Keyring
    db: AsyncEngine
    server: embedded.EmbeddedFalkorDB | None = None
    limits: LimitBook = field(default_factory=load_limits)
    links: LinkGraph = field(init=False)
    cache: RecordCache = field(init=False)
    answers: AnswerCache = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    policies: PolicyStore = field(init=False)
    audit: AccessLog = field(init=False)
    civic: Any = field(init=False)  # hub.civic.service.Civic (jieba loads once, here)
    alerts: Any = field(init=False)  # hub.alerts.service.Alerts (rules, engine)
    services: Any = field(init=False)  # hub.services.service.Services
    streams: Any = field(init=False, default=None)  # hub.streams.service.Streams, once started

    def __post_init__(self) -> None:
        from hub.civic.service import Civic
        from hub.services.service import Services

        self.links = LinkGraph(self.store)
        seal = Seal(self.settings.link_secret)  # the cache may be the graph's server: on disk
        cache_timeout = self.limits.stores.cache_timeout_seconds
        self.cache = RecordCache(self.redis, seal, timeout=cache_timeout)
        self.answers = AnswerCache(self.redis, seal, self.limits.keep_bytes, cache_timeout)
        self.store.timeout = self.limits.stores.graph_timeout_seconds
        for connector in self.registry:
            breaker = getattr(connector, "breaker", None)
            if breaker is not None:
                breaker.settings = self.limits.breakers
        self.sessions = records_db.sessions(self.db)
        self.policies = PolicyStore(self.settings.policy_dir, self.settings.policy_poll_seconds)
        self.audit = AccessLog(self.db, self.sessions)
        self.civic = Civic(self)
        from hub.alerts.service import Alerts

        self.alerts = Alerts(self)
        self.services = Services(self)

    async def close(self) -> None:
        if self.streams is not None:
            await self.streams.stop()
        await self.alerts.stop()
        await self.cache.settle()
        await self.policies.close()
        await self.audit.close()
        await self.registry.close()
        await self.store.close()
        await self.redis.aclose()
        await self.db.dispose()
        tracing.stop()
        if self.server is not None:
            self.server.stop()


def _graph_store(
    settings: Settings, redis_url: str, pool: Pool
) -> tuple[GraphStore, list[str]]:
    if settings.neo4j_uri:
        from graph.neo4j_store import Neo4jStore  # its driver loads only where it is used

        store = Neo4jStore(settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password)
        return store, neo4j_statements()
    return FalkorDBStore(
        settings.graph_url or redis_url, settings.graph_name, pool
    ), falkordb_statements()


async def open_runtime(settings: Settings) -> Runtime:
    """Start or reach every service; a service that cannot be reached stops start-up by name."""
    production.check(settings)
    tracing.start(settings.otlp_endpoint)
    limits = load_limits(settings.limits_file)
    registry = Registry.from_configs(load_departments(settings.connectors_dir, settings.data_dir))
    server = None
    redis_url = settings.redis_url or settings.graph_url
    if redis_url is None:
        server = embedded.start(settings.data_dir / "falkordb")
        redis_url = server.url
        log.info("embedded FalkorDB at %s", redis_url)
    try:
        store, statements = _graph_store(settings, redis_url, limits.pool)
    except (RedisError, OSError) as exc:  # the FalkorDB client connects as it is built
        if server:
            server.stop()
        url = settings.graph_url or redis_url
        raise ConfigError(f"cannot reach the graph at {url}: {exc}") from None
    redis = Redis.from_pool(
        packing_pool(redis_url, limits.pool.connections, limits.pool.wait_seconds)
    )
    try:
        await redis.ping()
        await store.setup(statements)
        await LinkGraph(store).upgrade()
    except (GraphUnavailable, RedisError, OSError) as exc:
        if server:
            server.stop()
        raise ConfigError(
            f"cannot reach the graph or Redis at {getattr(store, 'url', redis_url)}: {exc}"
        ) from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = records_db.open_engine(settings.hub_database_url)
    await records_db.create_tables(db)
    keys = Keyring(settings.link_secret)
    runtime = Runtime(settings, registry, store, redis, keys, db, server, limits)
    await runtime.policies.start(redis)
    runtime.audit.keep(settings.audit_retention_days)
    return runtime
