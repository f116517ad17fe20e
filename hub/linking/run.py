"""Run a linking pass over a runtime's departments and graph."""

from hub.linking.linker import Linker, Progress
from hub.linking.report import LinkReport
from hub.runtime import Runtime


async def link(runtime: Runtime, progress: Progress | None = None) -> LinkReport:
    return await Linker(runtime.registry, runtime.store, runtime.keys).run(progress)
