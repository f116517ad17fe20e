"""`python -m demo` as a user runs it: generate, serve both systems, stop on SIGTERM."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.demo.conftest import REPO_ROOT, free_port


def _demo(*args: str) -> list[str]:
    return [sys.executable, "-m", "demo", *args]


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, "serve exited early"
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            assert time.monotonic() < deadline, f"{url} did not answer"
            time.sleep(0.1)


def _down(url: str) -> bool:
    try:
        httpx.get(f"{url}/health", timeout=1)
    except httpx.HTTPError:
        return True
    return False


def test_generate_command(tmp_path: Path) -> None:
    result = subprocess.run(
        _demo("generate", "--data-dir", str(tmp_path), "--seed", "5", "--residents", "300",
              "--as-of", "2025-01-15"),
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert "resident 300" in result.stdout
    for name in ("police.sqlite", "civil.sqlite", "urban.sqlite", "truth.csv",
                 "property/rooms.csv"):
        assert (tmp_path / "demo" / name).is_file(), name


def test_serve_runs_both_systems_and_stops_them(data_root: Path) -> None:
    ports = {"civil": free_port(), "urban": free_port()}
    proc = subprocess.Popen(
        _demo("serve", "--data-dir", str(data_root), "--civil-port", str(ports["civil"]),
              "--urban-port", str(ports["urban"])),
        cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    urls = [f"http://127.0.0.1:{port}" for port in ports.values()]
    try:
        for url in urls:
            _wait_healthy(url, proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
    assert all(_down(url) for url in urls)


def test_serve_without_data_says_what_to_do(tmp_path: Path) -> None:
    result = subprocess.run(_demo("serve", "--data-dir", str(tmp_path)), cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "python -m demo generate" in result.stderr
