"""`python app.py`: demo departments, embedded services and the hub; Ctrl-C ends them all."""

import contextlib
import dataclasses
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
from typing import Any

import uvicorn
from prometheus_client import start_http_server

from hub import demo_stack
from hub.access.demo_tokens import demo_token_lines
from hub.embedded import _die_with_parent
from hub.settings import Settings
from hub.web import create_app
from hub.workers import stop_all

log = logging.getLogger("hub")

FIRST_QUERY = """{
  people(first: 3) {
    totalCount
    edges { node { id name gender residenceAddress careLevel
                   residence { name parent { name } } sources { connector key } } }
  }
}"""


def banner(settings: Settings) -> str:
    url = f"http://{settings.host}:{settings.port}/graphql"
    tokens = "\n".join(demo_token_lines(settings))
    return (
        f"\n社区数据枢纽 community data hub: {url}\n{tokens}\n"
        f"试试这个查询 (GraphiQL, with a token in the Headers tab):\n{FIRST_QUERY}"
    )


def demo_month(settings: Settings) -> str:
    """A month the demo's opinions fill: last month, or the demo's latest if it ends sooner
    (data generated long ago); months are YYYY-MM, so they compare as text."""
    from hub import clock
    from hub.civic.periods import month_of

    last_month = month_of(clock.now()).before(1).label
    truth = settings.data_dir / "demo" / "opinions" / "hotspots_truth.csv"
    try:
        with truth.open(encoding="utf-8-sig") as lines:
            months = [line.split(",", 1)[0] for line in list(lines)[1:]]
    except OSError:
        return last_month
    return min([last_month, max(months)]) if months else last_month


def civic_banner(settings: Settings) -> str:
    """How to see the residents' voice: Open311 with the demo key, staff headers for GraphQL."""
    from hub.civic.open311 import api_keys
    from hub.linking.keys import Keyring

    key = next(iter(api_keys(settings, Keyring(settings.link_secret))))
    base = f"http://{settings.host}:{settings.port}/open311/v2"
    return (
        f"\n居民意见 Open311: {base}/services.json  (POST requests.json with api_key={key})"
        "\n议事与热点 (GraphiQL header Authorization: Bearer <street_admin token above>):"
        f'\n  {{ hotspots(jurisdiction: "330105004", month: "{demo_month(settings)}") '
        "{ title count } }"
    )


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Where to listen, and whose X-Forwarded-For to believe: only `HUB_TRUSTED_PROXIES`'
    (uvicorn believes localhost's by default, and a local caller would then pick the address
    its refused tokens are counted under, hub.access.refusals)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "access_log": settings.http_log,  # ~1 ms per request; the access log has every request
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None,
    }


def listening_socket(settings: Settings) -> socket.socket:
    """The hub's socket, listening before anything starts (callers early wait in its backlog):
    with HUB_PORT=0 the system picks a free port, which the banner then names, and nothing can
    take it in between."""
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(2048)  # uvicorn's backlog
    return sock


def _run(app: Any, settings: Settings, sock: socket.socket) -> None:
    """uvicorn.run on a socket already listening."""
    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options(settings)))
    log.info("listening on %s:%d", settings.host, settings.port)  # uvicorn does not, given one
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    if not server.started:
        sys.exit(3)  # uvicorn's STARTUP_FAILURE


def quiet_loggers() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its URLs carry filter values
    logging.getLogger("casbin").setLevel(logging.ERROR)  # policy at INFO, each denial at WARNING
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a line per plugin, each start


def serve(settings: Settings, workers: int = 1) -> None:
    """One process, or `workers` of them sharing one socket (hub.workers)."""
    quiet_loggers()
    if workers > 1:
        from hub.workers import serve_workers

        serve_workers(settings, workers, banner_of=lambda s: banner(s) + civic_banner(s))
        return
    sock = listening_socket(settings)
    settings = dataclasses.replace(settings, port=sock.getsockname()[1])
    systems = demo_stack.DemoSystems()
    start_demo_departments(settings, systems)
    broker, settings = embedded_broker(settings)
    devices: list[subprocess.Popen[bytes]] = []
    try:
        app = create_app(
            settings,
            prepare=True,
            on_ready=lambda: _ready(settings, devices),
        )
        if settings.metrics_port:
            start_http_server(settings.metrics_port, settings.metrics_host)
        _run(app, settings, sock)
    finally:
        stop_all(devices)
        if broker is not None:
            broker.stop()
        systems.stop()
        sock.close()


def start_demo_departments(settings: Settings, systems: demo_stack.DemoSystems) -> None:
    """In the demo: its data generated on the first run, its department systems started and
    their addresses put in the environment (which worker processes inherit)."""
    if not settings.demo:
        return
    if not demo_stack.demo_ready(settings.data_dir):
        log.info("generating demo department data in %s (first run)", settings.data_dir)
        demo_stack.generate(settings.data_dir)
    if not (settings.data_dir / "streams").exists():  # a demo generated before devices
        device_registers(settings)
    systems.start(settings.data_dir)
    for variable, url in systems.env.items():
        os.environ.setdefault(variable, url)


def device_registers(settings: Settings) -> None:
    manifest = settings.data_dir / "demo" / "manifest.json"
    seed = json.loads(manifest.read_text(encoding="utf-8")).get("seed", 42)
    subprocess.run([sys.executable, "-m", "demo.devices", "register", "--seed", str(seed),
                    "--data-dir", str(settings.data_dir)], check=True, stdout=subprocess.DEVNULL)


def embedded_broker(settings: Settings) -> tuple[Any, Settings]:
    """The demo's MQTT broker (port 1883, else a free one) unless HUB_MQTT_URL names one."""
    if not (settings.demo and settings.streams) or settings.mqtt_url:
        return None, settings
    from hub.errors import ConfigError
    from hub.streams import broker as mqtt_broker

    os.environ.setdefault("HUB_LIGHTS_SECRET", secrets.token_hex(16))
    try:
        broker = mqtt_broker.start(settings.data_dir / "mqtt", 1883)
    except ConfigError:
        broker = mqtt_broker.start(settings.data_dir / "mqtt", 0)
    return broker, dataclasses.replace(settings, mqtt_url=broker.url())


def _ready(settings: Settings, devices: list[subprocess.Popen[bytes]]) -> None:
    print(banner(settings) + civic_banner(settings))
    start_devices(settings, devices)


def start_devices(settings: Settings, devices: list[subprocess.Popen[bytes]]) -> None:
    """In the demo, the street's devices start publishing, gently (20 messages a second: the
    last week of traffic replayed over a few hours)."""
    if settings.demo and settings.streams and settings.mqtt_url:
        hub_url = f"http://{settings.host}:{settings.port}"
        devices.append(subprocess.Popen(
            [sys.executable, "-m", "demo.devices", "replay", "--days", "7", "--rate", "20",
             "--data-dir", str(settings.data_dir), "--broker", settings.mqtt_url.replace(
                 "mqtt://hub@", "mqtt://devices@"), "--hub", hub_url],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, preexec_fn=_die_with_parent))
        print(f"\n设备事件 device events: {settings.mqtt_url} (simulated devices publishing)")
