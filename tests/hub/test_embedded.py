"""The embedded FalkorDB: one server per data folder, shared by the processes that use it."""

import fcntl
import os
from pathlib import Path

import pytest
from redis import Redis

from hub import embedded
from hub.errors import ConfigError


def test_a_second_process_uses_the_folders_running_server(tmp_path: Path) -> None:
    first = embedded.start(tmp_path / "falkordb")
    second = embedded.start(tmp_path / "falkordb")  # as `hub link` beside `python app.py`
    try:
        assert second.process is None and second.port == first.port
        with Redis.from_url(second.url) as redis:
            redis.set("written-through-the-second", "1")
        second.stop()  # it only used the server
        with Redis.from_url(first.url) as redis:
            assert redis.get("written-through-the-second") == b"1"
    finally:
        first.stop()
    again = embedded.start(tmp_path / "falkordb")  # the folder is free, the write persisted
    try:
        assert again.process is not None
        with Redis.from_url(again.url) as redis:
            assert redis.get("written-through-the-second") == b"1"
    finally:
        again.stop()


def test_a_folder_held_by_a_server_that_does_not_answer_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "falkordb"
    folder.mkdir()
    held = os.open(folder / embedded.LOCK_FILE, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        os.write(held, f"4242 {embedded.free_port()}\n".encode())
        with pytest.raises(ConfigError, match="process 4242") as caught:
            embedded.start(folder, timeout=0.5)
        assert str(folder) in caught.value.message
    finally:
        os.close(held)
