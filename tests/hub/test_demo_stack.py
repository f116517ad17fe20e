"""The demo departments serve on ports this hub holds: never another process's, even one that
takes the port between the choice and the serving."""

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest

from hub.demo_stack import DemoSystems
from hub.errors import ConfigError
from tests.conftest import DemoEnv


class _Other(BaseHTTPRequestHandler):
    """Another hub's department: healthy, and not ours."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"other")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_department() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _Other)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_taken_port_is_refused_not_served_by_another(
    demo: DemoEnv, other_department: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_DEMO_CIVIL_PORT", str(other_department))
    systems = DemoSystems()
    with pytest.raises(ConfigError, match="HUB_DEMO_CIVIL_PORT"):
        systems.start(demo.data_dir)
        systems.stop()  # started on a port it does not hold: the failure is the assertion
    assert not systems.processes


def test_each_department_serves_the_socket_it_was_handed(demo: DemoEnv) -> None:
    systems = DemoSystems().start(Path(demo.data_dir))
    try:
        for name, sock in systems.sockets.items():
            port = sock.getsockname()[1]
            assert systems.ports[name] == port
            with pytest.raises(OSError), socket.socket() as probe:
                probe.bind(("127.0.0.1", port))  # held all along, by this hub
            health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
            assert health.status_code == 200 and health.text != "other"
        systems.stop_one("civil")
        with pytest.raises(httpx.ConnectError):
            httpx.get(systems.env["HUB_CIVIL_URL"] + "/health", timeout=5)
        systems.start_one("civil")
        assert httpx.get(systems.env["HUB_CIVIL_URL"] + "/health", timeout=5).status_code == 200
    finally:
        systems.stop()
