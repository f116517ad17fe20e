"""bench.sizing's arithmetic and bench.processes' accounting (no stack: the bench measures)."""

import os
import subprocess
import sys
from dataclasses import replace

from bench import sizing
from bench.processes import descendants, reaped_cpu
from bench.sizing import HOT, KEPT, ONE, PAGE, SUBMIT, WARM, Costs, Kind, Load


def _kind(hub_ms: float, graph_us: float = 0.0, log_bytes: float = 0.0) -> Kind:
    return Kind(hub_ms=hub_ms, falkordb_ms=0.0, postgres_ms=0.0, graph_calls=1.0,
                cache_calls=0.0, graph_us=graph_us, cache_us=0.0, department_calls=1.0,
                log_rows=1.0, log_bytes=log_bytes)


def _costs() -> Costs:
    kinds = {PAGE: _kind(20, 2000, 7000), WARM: _kind(10, 1000, 7000), ONE: _kind(4, 500, 400),
             SUBMIT: _kind(30), HOT: _kind(100, 0, 800), KEPT: _kind(2, 0, 7000)}
    return Costs(residents=20_000, kinds=kinds, nodes=150_000, edges=220_000,
                 graph_bytes=60 * 2**20, records_per_resident=4.0, record_bytes=500.0,
                 answer_bytes=80_000.0, page_records=286, opinions=25_000, opinion_bytes=1_100.0)


def test_rates_follow_the_residents() -> None:
    load = Load()
    street, city = sizing._rates(load, 20_000), sizing._rates(load, 10_000_000)
    assert set(street) == {PAGE, WARM, ONE, SUBMIT, HOT, KEPT}
    for kind, rate in street.items():
        assert abs(city[kind] - 500 * rate) < 1e-9 * city[kind]


def test_hub_processes_cover_the_busiest_hour_at_the_utilisation() -> None:
    costs, load = _costs(), Load()
    rates = sizing._rates(load, 10_000_000)
    cores = sum(r * costs.kinds[k].hub_ms for k, r in rates.items()) / 1000
    table = sizing._size(costs, load, 10_000_000)
    assert table["hub CPU cores used"] == f"{cores:,.2f}"
    processes = int(table["hub processes (cores) at ≤ 60%"].replace(",", ""))
    assert (processes - 1) * 0.6 < cores <= processes * 0.6
    busier = sizing._size(costs, replace(load, staff_per_minute=4.0), 10_000_000)
    assert int(busier["hub processes (cores) at ≤ 60%"].replace(",", "")) > processes


def test_graph_memory_scales_from_the_measured_street() -> None:
    table = sizing._size(_costs(), Load(), 500_000)
    assert table["graph memory GiB"] == f"{60 * 25 / 1024:,.2f}"
    small = replace(_costs(), graph_bytes=2**20)
    assert sizing._size(small, Load(), 500_000)["graph memory GiB"] == f"{25 / 1024:,.2f}"


def test_a_reaped_child_keeps_its_cpu_in_the_parent() -> None:
    before = reaped_cpu(os.getpid())
    burn = "import time\nwhile time.process_time() < 0.3: pass"
    child = subprocess.Popen([sys.executable, "-c", burn])
    assert child.pid in descendants(os.getpid())
    child.wait()
    assert reaped_cpu(os.getpid()) - before >= 0.25
    assert child.pid not in descendants(os.getpid())
