"""Writing a department's own SQLite file in one go, replacing the old file atomically."""

import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def write_table(path: Path, create_sql: str, table: str, columns: Sequence[str],
                rows: Iterable[Sequence[Any]], indexes: Sequence[str]) -> None:
    """Create `path` holding one table with `rows`, then index the given columns."""
    tmp = path.with_suffix(".sqlite.tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(create_sql)
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        for column in indexes:
            conn.execute(f"CREATE INDEX ix_{table}_{column} ON {table} ({column})")
        conn.commit()
    finally:
        conn.close()
    os.replace(tmp, path)
