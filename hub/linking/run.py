"""Run a linking pass over a runtime's departments and graph."""

from datetime import datetime

from hub.linking.config import load_linking
from hub.linking.linker import Linker, Progress
from hub.linking.report import LinkReport
from hub.runtime import Runtime


async def link(
    runtime: Runtime,
    progress: Progress | None = None,
    since: dict[str, datetime | None] | None = None,
) -> LinkReport:
    """A full run (`since` None) or an incremental one from per-source times."""
    config = load_linking(runtime.settings.linking_file)
    linker = Linker(runtime.registry, runtime.store, runtime.keys, config)
    return await linker.run(since, progress)
