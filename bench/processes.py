"""Who used the CPU during a run: a hub stack's processes by role, from Linux /proc.

Roles: the hub (its process and every worker it started), FalkorDB (graph and, on embedded
defaults, the record cache), the REST department servers, the load generator (this process),
and everything else on the machine (other tenants). CPU seconds are read before and after a
run; divided by the run's wall time they are cores, divided by its requests CPU per request.
Each role's process tree is walked again at every reading, and a root's reaped children count
too (uvicorn's supervisor replaces a worker that misses its health check: the dead one's CPU
stays in the figures, the new one's is added); FalkorDB's is its own process only (a snapshot
is a forked child, whose CPU is not a request's).
"""

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from bench.federated_core import process_cpu
from bench.stack import HubStack

TICK = os.sysconf("SC_CLK_TCK")
ALONE = ("FalkorDB", "load generator")  # counted without their children


def children() -> dict[int, list[int]]:
    """Every process's children, now."""
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            found.setdefault(parent, []).append(int(entry.name))
    return found


def descendants(pid: int, tree: dict[int, list[int]] | None = None) -> list[int]:
    """`pid` and every process below it."""
    tree = children() if tree is None else tree
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def machine_busy() -> float:
    """CPU seconds all cores have spent not idle since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICK


def reaped_cpu(pid: int) -> float:
    """CPU seconds of `pid`'s children that ended and were waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / TICK


def _cpu(roots: list[int], tree: dict[int, list[int]], reaped: bool = True) -> float:
    """CPU seconds of these processes, everything below them in `tree`, and (`reaped`) their
    children that ended."""
    total = 0.0
    for root in roots:
        with contextlib.suppress(OSError, IndexError):  # gone meanwhile
            total += reaped_cpu(root) if reaped else 0.0
        for pid in descendants(root, tree):
            with contextlib.suppress(OSError, IndexError):
                total += process_cpu(pid)
    return total


@dataclass
class Snapshot:
    at: float
    roles: dict[str, float]
    machine: float


class Roles:
    """The processes of `stack` (and of `hub_pid`'s tree, another hub on the same stores)."""

    def __init__(self, stack: HubStack, hub_pid: int | None = None) -> None:
        assert stack.graph is not None and stack.hub is not None
        hub = hub_pid or stack.hub.pid
        graph = stack.graph.process.pid if stack.graph.process is not None else None
        self.pids = {  # the roots of each role's tree
            "hub": [hub],
            "FalkorDB": [graph] if graph else [],
            "departments": [proc.pid for proc in stack.systems.processes.values()],
            "load generator": [os.getpid()],
        }

    def snapshot(self) -> Snapshot:
        tree = children()
        roles = {r: _cpu(p, tree) for r, p in self.pids.items() if r not in ALONE}
        for role in ALONE:  # not their children
            roles[role] = _cpu(self.pids[role], {}, reaped=False)
        return Snapshot(time.perf_counter(), roles, machine_busy())

    def cores(self, before: Snapshot, after: Snapshot) -> dict[str, float]:
        """Cores each role used between two snapshots, and `others`: the rest of the machine."""
        wall = after.at - before.at
        used = {r: (after.roles[r] - before.roles[r]) / wall for r in self.pids}
        used["others"] = max(0.0, (after.machine - before.machine) / wall - sum(used.values()))
        return used

    def seconds(self, before: Snapshot, after: Snapshot) -> dict[str, float]:
        """CPU seconds each role used between two snapshots."""
        return {r: after.roles[r] - before.roles[r] for r in self.pids}
