"""FalkorDB's GRAPH.BULK: a fresh graph built from binary batches, not from Cypher statements.

A Cypher CREATE costs the server ~85 µs per source record at a million residents (index seeks
for every relation's ends, parsing, one write query at a time); GRAPH.BULK appends nodes and
edges to the matrices directly. It only builds a graph that does not exist yet (the first
command says BEGIN), and edges name their ends by internal node id: the server numbers a new
graph's nodes 0, 1, 2, … in the order they arrive, so the loader keeps the numbers of the nodes
that later edges name. Indexes created after the first command are kept up by the rest.

Encoding is ours (Python) and indexing the server's: a sender thread sends each command while
the caller encodes the next, so that both cores work. Everything here is synchronous; async
callers run it in a thread.

A command: [BEGIN] node count, edge count, label count, type count, then one token per label
(`name\\0`, uint32 property count, `prop\\0`…, each node's values) and per relation type (the
same header; per edge uint64 source, uint64 destination, values). A value is a one-byte type
(0 null: not set, 1 bool, 2 double, 3 string, NUL-terminated, 4 int64, 5 array: int64 length and
values), then its bytes.
"""

import queue
import struct
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from hub.errors import GraphUnavailable

COMMAND_BYTES = 8 << 20  # a command's size: large enough to amortise, small enough to overlap
IN_FLIGHT = 64  # commands encoded ahead of the server: it is slower on indexed nodes, we on
# edges, so a part's edges are encoded while its nodes are still being indexed (≤ 512 MB;
# a million residents' last part is ~45 commands)

_NULL = b"\x00"
_BOOL = struct.Struct("=B?")
_DOUBLE = struct.Struct("=Bd")
_LONG = struct.Struct("=Bq")
_ENDS = struct.Struct("=QQ")
_COUNT = struct.Struct("=I")


class BulkError(RuntimeError):
    pass


def value_bytes(value: Any) -> bytes:
    if value.__class__ is str:
        if "\x00" in value:
            raise BulkError("a NUL character cannot be written to the graph")
        return b"\x03" + value.encode() + _NULL
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return _BOOL.pack(1, value)
    if isinstance(value, int):
        return _LONG.pack(4, value)
    if isinstance(value, float):
        return _DOUBLE.pack(2, value)
    if isinstance(value, list | tuple):
        return _LONG.pack(5, len(value)) + b"".join(value_bytes(v) for v in value)
    raise BulkError(f"no graph value for a {type(value).__name__}")


def _one_bytes(value: Any) -> bytes:
    if value.__class__ is str and "\x00" not in value:
        return ("\x03" + value + "\x00").encode()
    return value_bytes(value)


def row_bytes(values: Sequence[Any]) -> bytes:
    """A row's values, as `value_bytes` would give them. Strings, nulls and short lists of
    strings are written as one text (their type bytes and terminators are ASCII) and encoded
    once: a third less time per row. A terminator count that is not what the values make
    means a NUL inside a string."""
    parts: list[str] = []
    nuls = 0
    for value in values:
        if value.__class__ is str:
            parts.append("\x03" + value + "\x00")
            nuls += 1
        elif value is None:
            parts.append("\x00")
            nuls += 1
        elif (
            value.__class__ is list
            and len(value) < 128
            and all(item.__class__ is str for item in value)
        ):
            size = len(value)  # as int64 little-endian: ASCII bytes, below 128
            parts.append(
                "\x05"
                + chr(size)
                + "\x00" * 7
                + "".join(["\x03" + item + "\x00" for item in value])
            )
            nuls += 7 + size + (size == 0)
        else:
            return b"".join([value_bytes(v) for v in values])
    text = "".join(parts)
    if text.count("\x00") != nuls:
        raise BulkError("a NUL character cannot be written to the graph")
    return text.encode()


def _header(name: str, props: Sequence[str]) -> bytes:
    return b"".join(
        [name.encode(), _NULL, _COUNT.pack(len(props)), *(p.encode() + _NULL for p in props)]
    )


class BulkLoad:
    """Builds graph `name` (absent until the first command) from batches of nodes and edges.

    `nodes` and `edges` buffer their rows as tokens and queue a command whenever the buffer
    holds `command_bytes`; the sender thread sends them one after the other, so that the server
    numbers nodes in our order, up to IN_FLIGHT waiting. `close` sends the rest, waits for all
    of it and checks the server's counts; a failed command is raised by the next call."""

    def __init__(
        self,
        redis: Redis,
        name: str,
        command_bytes: int = COMMAND_BYTES,
        once_begun: Callable[[Redis], Any] | None = None,
    ) -> None:
        """`once_begun(redis)`: what to do once the graph exists (after the first command),
        before the next is sent: index it, say, so that the server indexes each command's
        nodes as they arrive (on its own core, meanwhile) instead of all of them at the end."""
        self.redis = redis
        self.name = name
        self.command_bytes = command_bytes
        self.once_begun = once_begun
        self.ids: dict[str, int] = {}  # key → internal id, for the nodes edges will name
        self.sent = [0, 0]  # nodes, edges
        self.created = [0, 0]  # as the server reported them
        self._next = 0
        self._begun = False
        self._labels: list[bytes] = []
        self._types: list[bytes] = []
        self._counts = [0, 0]
        self._size = 0
        self._queue: queue.Queue[list[Any] | None] = queue.Queue(IN_FLIGHT)
        self._failed: BaseException | None = None
        self._sender = threading.Thread(target=self._send_all, name=f"bulk-{name}", daemon=True)
        self._sender.start()

    def nodes(
        self,
        label: str,
        props: Sequence[str],
        rows: Iterable[Sequence[Any]],
        keys: Iterable[str | None],
    ) -> None:
        """rows: each node's values, in the order of `props`; keys: a name for each node that
        edges may use (None: no edge will)."""
        header = _header(label, props)
        token, size = [header], len(header)
        width = len(props)
        for row, key in zip(rows, keys, strict=True):
            if len(row) != width:
                raise BulkError(f"{label}: {len(row)} values for {width} properties")
            encoded = row_bytes(row)
            token.append(encoded)
            size += len(encoded)
            if key is not None:
                self.ids[key] = self._next
            self._next += 1
            self._counts[0] += 1
            if self._size + size >= self.command_bytes:
                self._add_token(self._labels, token, size, send=True)
                token, size = [header], len(header)
        self._add_token(self._labels, token, size)

    def edges(
        self, rel_type: str, props: Sequence[str], rows: Iterable[Sequence[Any]], tail: Any = ()
    ) -> int:
        """rows: (source, destination, values…), each end a node's key or its internal id (an
        int); `tail`: the values of the last properties, the same for every edge (encoded
        once). An edge whose end is not a loaded node is not written, as a MATCH on a missing
        node writes nothing; returns how many were written."""
        header = _header(rel_type, props)
        token, size, written = [header], len(header), 0
        ids, ends = self.ids, _ENDS.pack
        common = b"".join(value_bytes(v) for v in tail)
        width = 2 + len(props) - len(tail)
        for row in rows:
            if len(row) != width:
                raise BulkError(f"{rel_type}: {len(row) - 2} values for {width - 2} properties")
            a, b = row[0], row[1]
            a = a if a.__class__ is int else ids.get(a)
            b = b if b.__class__ is int else ids.get(b)
            if a is None or b is None:
                continue
            if width == 2:
                encoded = ends(a, b) + common
            elif width == 3:
                encoded = ends(a, b) + _one_bytes(row[2]) + common
            else:
                encoded = ends(a, b) + row_bytes(row[2:]) + common
            token.append(encoded)
            size += len(encoded)
            written += 1
            self._counts[1] += 1
            if self._size + size >= self.command_bytes:
                self._add_token(self._types, token, size, send=True)
                token, size = [header], len(header)
        self._add_token(self._types, token, size)
        return written

    def _add_token(
        self, into: list[bytes], token: list[bytes], size: int, send: bool = False
    ) -> None:
        """A label's or type's rows so far (after its header) join the command (`into`: its
        labels or its types); `send`: the command is full and goes."""
        if len(token) > 1:
            into.append(b"".join(token))
            self._size += size
        if send:
            self._flush()

    @property
    def next_id(self) -> int:
        """The internal id the next node will have."""
        return self._next

    def close(self) -> None:
        """Send what is buffered; check that the server made every node and edge sent."""
        if self._sender.is_alive():
            self._flush()
            self._queue.put(None)
            self._sender.join()
        if self._failed is not None:
            raise self._failed
        if self.created != self.sent:
            raise BulkError(
                f"graph {self.name}: sent {self.sent[0]} nodes and {self.sent[1]} "
                f"edges, the server made {self.created[0]} and {self.created[1]}"
            )

    def _flush(self) -> None:
        if self._failed is not None:
            raise self._failed
        if not self._counts[0] and not self._counts[1]:
            return
        args: list[Any] = [
            *self._counts,
            len(self._labels),
            len(self._types),
            *self._labels,
            *self._types,
        ]
        if not self._begun:
            args.insert(0, "BEGIN")
            self._begun = True
        self.sent = [self.sent[0] + self._counts[0], self.sent[1] + self._counts[1]]
        self._labels, self._types, self._counts, self._size = [], [], [0, 0], 0
        self._queue.put(args)

    def _send_all(self) -> None:
        """The sender thread: each command in turn; after a failure, it only drains."""
        while (args := self._queue.get()) is not None:
            if self._failed is not None:
                continue
            try:
                reply = self.redis.execute_command("GRAPH.BULK", self.name, *args)
                text = reply.decode() if isinstance(reply, bytes) else str(reply)
                nodes, edges = (int(part.split()[0]) for part in text.split(","))
                self.created = [self.created[0] + nodes, self.created[1] + edges]
                if args[0] == "BEGIN" and self.once_begun is not None:
                    self.once_begun(self.redis)
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                self._failed = GraphUnavailable.of("falkordb", f"graph {self.name}", exc)
            except BaseException as exc:  # raised to the caller by its next call
                self._failed = exc
