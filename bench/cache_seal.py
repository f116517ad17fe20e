"""CPU cost of sealing the record cache (hub.sealed), per cached record read and written.

`python -m bench.cache_seal [--records 200000]`: a police resident record as the demo's
connector gives it, decoded as the cache does (orjson + date tags), with and without the seal
(the key name's keyed hash, AES-GCM open/seal). No Redis: only the hub's own CPU is measured.
"""

import argparse
import time
from collections.abc import Callable
from datetime import date, datetime

from hub.cache import dumps, loads
from hub.sealed import Seal

RECORD = {
    "name": "王秀英", "gender": "female", "idNumber": "330105194803021234",
    "birthDate": date(1948, 3, 2), "phone": "13912345678", "ethnicity": "汉族",
    "residenceAddress": "浙江省杭州市拱墅区小河街道和睦新村3幢2单元301室",
    "hukouAddress": "浙江省杭州市拱墅区小河街道和睦新村3幢2单元301室",
    "householdNumber": "330105004001000123", "relationToHead": "本人",
    "jurisdiction": "33010500400101", "updatedAt": datetime(2025, 5, 1, 8, 30),
}


def _per_call(work: Callable[[], object], n: int) -> float:
    """Microseconds per call, best of three runs."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(n):
            work()
        best = min(best, time.perf_counter() - started)
    return best / n * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=200_000)
    n = ap.parse_args().records
    seal = Seal("bench-only-link-secret-0123456789abcdef")
    plain = dumps(RECORD)
    name = "hub:rec:2:police:resident:" + seal.name("GA00000001")
    sealed = seal.seal(name, plain)
    read_clear = _per_call(lambda: loads(plain), n)
    read_sealed = _per_call(lambda: (seal.name("GA00000001"), loads(seal.open(name, sealed))), n)
    write_clear = _per_call(lambda: dumps(RECORD), n)
    write_sealed = _per_call(lambda: (seal.name("GA00000001"), seal.seal(name, dumps(RECORD))), n)
    print(f"record: {len(plain)} bytes in clear, {len(sealed)} sealed")
    print(f"read  (name + open + decode): {read_sealed:.2f} µs, clear decode {read_clear:.2f} µs")
    print(f"write (name + encode + seal): {write_sealed:.2f} µs, clear encode {write_clear:.2f} µs")
    print(f"a page of 100 cached records: +{(read_sealed - read_clear) * 100 / 1000:.3f} ms")


if __name__ == "__main__":
    main()
