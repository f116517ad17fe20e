"""`hub streams run | status`: the stream departments' ingest in a process of its own (one
per broker session: several GraphQL workers must not each subscribe), and what it holds."""

import argparse
import asyncio
import logging
import signal

from hub.settings import Settings


async def _run(settings: Settings) -> int:
    from hub.runtime import open_runtime
    from hub.streams.service import start_streams

    runtime = await open_runtime(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        streams = await start_streams(runtime, settings.mqtt_url)
        print(f"streams: {', '.join(streams.ingests) or 'none'} "
              f"(subscribed: {', '.join(streams.subscribers) or 'none'})", flush=True)
        await stop.wait()
    finally:
        await runtime.close()
    return 0


async def _status(settings: Settings) -> int:
    """Read off the departments' event stores alone (no graph, no Redis needed)."""
    from connectors.config import load_departments
    from connectors.registry import Registry
    from connectors.stream import StreamConnector
    from hub.streams.store import EventStore

    registry = Registry.from_configs(load_departments(settings.connectors_dir, settings.data_dir))
    try:
        for connector in registry:
            if not isinstance(connector, StreamConnector):
                continue
            assert connector.config.stream is not None
            store = EventStore(connector.engine, connector.config.stream.keep)
            await store.create()
            counts = await store.counts()
            print(f"{connector.name} ({connector.kind}): {counts['events']} events kept, "
                  f"{counts['dead_letters']} messages kept aside")
            for row in await store.dead(5):
                print(f"  aside {row['received_at']} {row['reason']} on {row['topic']}")
    finally:
        await registry.close()
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.action == "run":
        return asyncio.run(_run(settings))
    return asyncio.run(_status(settings))


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    streams = sub.add_parser("streams", help="device and security event streams")
    streams.add_argument("action", choices=["run", "status"],
                         help="run: ingest until stopped (HUB_MQTT_URL); status: counts")
    streams.set_defaults(run=run)
