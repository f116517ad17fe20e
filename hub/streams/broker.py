"""The embedded MQTT broker of `python app.py` and the tests: mosquitto where it is installed
(it keeps a persistent session's unacknowledged messages across a subscriber's crash and,
saved on a clean stop, across its own restart), else amqtt from PyPI (which keeps a session's
queued messages while the broker runs, but drops those in flight when a subscriber dies:
see README "Event streams"). Production points `HUB_MQTT_URL` at the city's broker.
"""

from __future__ import annotations

import getpass
import logging
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from hub.embedded import _die_with_parent, free_port
from hub.errors import ConfigError

log = logging.getLogger("hub.streams")

USER = "hub"  # amqtt keeps no messages for anonymous sessions: every client gives a name


@dataclass
class EmbeddedBroker:
    process: subprocess.Popen[bytes]
    port: int
    directory: Path
    engine: str

    def url(self, user: str = USER) -> str:
        return f"mqtt://{user}@127.0.0.1:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        """A clean stop (mosquitto saves its sessions)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> None:
        self.stop()
        started = start(self.directory, self.port, self.engine)
        self.process = started.process


def _mosquitto_conf(directory: Path, port: int) -> Path:
    conf = directory / "mosquitto.conf"
    conf.write_text(
        # run as root, mosquitto becomes user "mosquitto", who cannot write our folder
        f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\nallow_anonymous true\n"
        f"persistence true\npersistence_location {directory}/\nautosave_interval 5\n"
        # a subscriber that acknowledges a batch at once needs more than 20 messages in flight;
        # a hub that is down must find everything queued for it when it comes back
        "max_inflight_messages 0\nmax_queued_messages 0\nmax_queued_bytes 0\n"
        "log_dest stderr\nlog_type error\nlog_type warning\n",
        encoding="utf-8",
    )
    return conf


def _amqtt_conf(directory: Path, port: int) -> Path:
    conf = directory / "amqtt.yaml"
    conf.write_text(
        "listeners:\n  default:\n    type: tcp\n"
        f"    bind: 127.0.0.1:{port}\n"
        "plugins:\n  amqtt.plugins.authentication.AnonymousAuthPlugin:\n"
        "    allow_anonymous: false\n",
        encoding="utf-8",
    )
    return conf


def start(directory: Path, port: int = 0, engine: str | None = None) -> EmbeddedBroker:
    """Start a broker with its state in `directory`, on `port` (0: a free one)."""
    directory.mkdir(parents=True, exist_ok=True)
    engine = engine or ("mosquitto" if shutil.which("mosquitto") else "amqtt")
    port = port or free_port()
    if engine == "mosquitto":
        command = ["mosquitto", "-c", str(_mosquitto_conf(directory, port))]
    else:
        amqtt = Path(sys.executable).with_name("amqtt")
        command = [str(amqtt), "-c", str(_amqtt_conf(directory, port))]
    with (directory / "broker.log").open("ab") as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                   preexec_fn=_die_with_parent)
    _wait(process, port, engine)
    log.info("embedded MQTT broker (%s) on port %d", engine, port)
    return EmbeddedBroker(process, port, directory, engine)


def _wait(process: subprocess.Popen[bytes], port: int, engine: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigError(f"the embedded MQTT broker ({engine}) exited at start "
                              f"({process.returncode}); see broker.log in the data folder")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise ConfigError(f"the embedded MQTT broker ({engine}) did not start in {timeout:.0f} s")
