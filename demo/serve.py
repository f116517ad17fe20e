"""Running the REST department systems with uvicorn."""

from pathlib import Path
from typing import Literal

import uvicorn
from starlette.applications import Starlette

System = Literal["civil", "urban"]
SYSTEMS: tuple[System, ...] = ("civil", "urban")
DEFAULT_PORTS: dict[System, int] = {"civil": 8101, "urban": 8102}
PORT_ENV: dict[System, str] = {"civil": "HUB_DEMO_CIVIL_PORT", "urban": "HUB_DEMO_URBAN_PORT"}


def create_app(system: System, data_dir: Path) -> Starlette:
    """The Starlette app of one system, reading `data_dir/demo/<system>.sqlite`."""
    db_path = Path(data_dir) / "demo" / f"{system}.sqlite"
    if system == "civil":
        from demo import civil

        return civil.create_app(db_path)
    if system == "urban":
        from demo import urban

        return urban.create_app(db_path)
    raise ValueError(f"unknown system {system!r}; choose civil or urban")


def run_server(system: System, data_dir: Path, port: int, host: str = "127.0.0.1",
               log_level: str = "warning", fd: int | None = None) -> None:
    """Serve one system until interrupted (blocking); on `fd`, a listening socket the parent
    bound and handed down (so no other process can take the port between choosing and
    serving), else on `host`:`port`."""
    app = create_app(system, data_dir)
    if fd is not None:
        uvicorn.run(app, fd=fd, log_level=log_level)
    else:
        uvicorn.run(app, host=host, port=port, log_level=log_level)
