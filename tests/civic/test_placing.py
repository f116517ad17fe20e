"""A first start whose place index knew no places (a freshly booted machine, before the index's
clock was fixed): its hotline orders stored without a place, its app opinions refused. The
next start places the one and imports the other, as a good first start would have."""

import argparse
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.civic import imports, placing
from hub.civic.cli import _run as opinions_cli
from hub.civic.demo_seed import seed
from hub.civic.records import Opinion
from hub.linking.report import LinkReport
from hub.runtime import Runtime, open_runtime
from hub.settings import Settings

Placed = dict[str, tuple[str | None, str | None, str, str | None]]


@pytest.fixture
def hub_at(
    runtime: Runtime, link_report: LinkReport, tmp_path: Path
) -> Callable[[str, str], Settings]:
    """A demo hub's settings over the session's departments: its own records database
    `name`, and the session's linked graph or, with graph "empty", a graph without places."""

    def settings(name: str, graph: str = runtime.settings.graph_name) -> Settings:
        return replace(runtime.settings, demo=True, graph_name=graph,
                       database_url=f"sqlite:///{tmp_path / name}.sqlite")

    return settings


async def _seeded(settings: Settings) -> tuple[imports.BatchReport, imports.BatchReport] | None:
    own = await open_runtime(settings)
    try:
        return await seed(own)
    finally:
        await own.close()


async def _places(settings: Settings) -> Placed:
    own = await open_runtime(settings)
    try:
        async with own.sessions() as session:
            rows = await session.scalars(select(Opinion))
            return {o.id: (o.place_id, o.place_name, o.place_precision, o.jurisdiction)
                    for o in rows}
    finally:
        await own.close()


async def test_the_start_after_a_placeless_one_places_and_imports_what_it_could_not(
    hub_at: Callable[..., Settings],
) -> None:
    demo = hub_at("good").data_dir / "demo" / "opinions" / "opinions.csv"
    first = await _seeded(hub_at("booted", "empty"))
    assert first is not None
    hotline, opinions = first
    assert hotline.created == hotline.unresolved > 0  # kept, without a place
    assert opinions.created == 0 and len(opinions.rejected) == imports.demo_opinions(demo)

    assert await _seeded(hub_at("booted")) is not None
    assert await _seeded(hub_at("good")) is not None  # what a good first start stores
    assert await _places(hub_at("booted")) == await _places(hub_at("good"))
    assert await _seeded(hub_at("booted")) is None  # nothing left to do


async def test_placing_goes_batch_by_batch_and_twice_is_once(
    hub_at: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    booted = await open_runtime(hub_at("booted", "empty"))
    try:
        stored = (await imports.import_hotline(booted.civic)).created
    finally:
        await booted.close()
    monkeypatch.setattr(placing, "BATCH", 7)
    own = await open_runtime(hub_at("booted"))
    try:
        report = await placing.place_unplaced(own.civic)
        assert report.examined == stored and 0 < report.placed <= stored
        again = await placing.place_unplaced(own.civic)
        assert again.placed == 0 and again.examined == stored - report.placed
    finally:
        await own.close()
    good = await open_runtime(hub_at("good"))
    try:
        assert (await imports.import_hotline(good.civic)).unresolved == again.examined
    finally:
        await good.close()
    assert await _places(hub_at("booted")) == await _places(hub_at("good"))


async def test_hub_opinions_place_unplaced(
    hub_at: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    booted = await open_runtime(hub_at("booted", "empty"))
    try:
        stored = (await imports.import_hotline(booted.civic)).created
    finally:
        await booted.close()
    await opinions_cli(argparse.Namespace(action="place-unplaced"), hub_at("booted"))
    assert f"examined {stored}, placed " in capsys.readouterr().out
    good = await open_runtime(hub_at("good"))
    try:
        await imports.import_hotline(good.civic)
    finally:
        await good.close()
    assert await _places(hub_at("booted")) == await _places(hub_at("good"))
    await opinions_cli(argparse.Namespace(action="place-unplaced"), hub_at("booted"))
    assert ", placed 0," in capsys.readouterr().out
