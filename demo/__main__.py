"""Command line of the demo department systems.

  python -m demo generate --data-dir D [--seed 42] [--residents 20000] [--police-url URL]
  python -m demo serve --data-dir D            # civil on 8101, urban on 8102 (env overridable)
  python -m demo serve-one civil|urban --data-dir D --port P   (or --fd N: an inherited socket)
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from types import FrameType

from demo.generate import DEFAULT_RESIDENTS, DEFAULT_SEED, generate
from demo.serve import DEFAULT_PORTS, PORT_ENV, SYSTEMS, System, run_server

REPO_ROOT = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    return Path(os.environ.get("HUB_DATA_DIR") or REPO_ROOT / ".data")


def _port(system: System, given: int | None) -> int:
    if given is not None:
        return given
    return int(os.environ.get(PORT_ENV[system]) or DEFAULT_PORTS[system])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m demo",
                                     description="Synthetic department systems for the hub.")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="generate all department data and the ground truth")
    gen.add_argument("--data-dir", type=Path, default=_default_data_dir())
    gen.add_argument("--seed", type=int, default=DEFAULT_SEED)
    gen.add_argument("--residents", type=int, default=DEFAULT_RESIDENTS)
    gen.add_argument("--police-url", default=None,
                     help="SQLAlchemy URL of the police database (default: SQLite in the data dir)")
    gen.add_argument("--as-of", type=date.fromisoformat, default=None,
                     help="reference day YYYY-MM-DD for 'last 90 days' etc. (default: today)")
    gen.add_argument("--quiet", action="store_true")
    serve = sub.add_parser("serve", help="run both REST systems until Ctrl-C")
    serve.add_argument("--data-dir", type=Path, default=_default_data_dir())
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--civil-port", type=int, default=None)
    serve.add_argument("--urban-port", type=int, default=None)
    one = sub.add_parser("serve-one", help="run one REST system (blocking)")
    one.add_argument("system", choices=SYSTEMS)
    one.add_argument("--data-dir", type=Path, default=_default_data_dir())
    one.add_argument("--port", type=int, default=None)
    one.add_argument("--host", default="127.0.0.1")
    one.add_argument("--fd", type=int, default=None,
                     help="serve on this inherited listening socket instead of --host/--port")
    one.add_argument("--log-level", default="warning")
    return parser


def _generate(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    progress = None if args.quiet else (lambda message: print(message, flush=True))
    counts = generate(args.data_dir, args.seed, args.residents, args.police_url,
                      as_of=args.as_of, progress=progress)
    if not args.quiet:
        summary = ", ".join(f"{kind} {count}" for kind, count in counts.items())
        print(f"wrote {args.data_dir / 'demo'} in {time.perf_counter() - started:.1f}s: {summary}")
    return 0


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _serve(args: argparse.Namespace) -> int:
    ports = {"civil": _port("civil", args.civil_port), "urban": _port("urban", args.urban_port)}
    for system in SYSTEMS:
        db = args.data_dir / "demo" / f"{system}.sqlite"
        if not db.is_file():
            print(f"{db} does not exist; run `python -m demo generate` first", file=sys.stderr)
            return 2
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    procs: list[subprocess.Popen[bytes]] = []
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        for system, port in ports.items():
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "demo", "serve-one", system, "--data-dir",
                 str(args.data_dir), "--port", str(port), "--host", args.host], env=env))
            print(f"{system}: http://{args.host}:{port}", flush=True)
        while True:
            for system, proc in zip(ports, procs, strict=True):
                if proc.poll() is not None:
                    print(f"{system} server exited with code {proc.returncode}", file=sys.stderr)
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(procs)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "generate":
        return _generate(args)
    if args.command == "serve":
        return _serve(args)
    run_server(args.system, args.data_dir, _port(args.system, args.port), args.host,
               args.log_level, args.fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
