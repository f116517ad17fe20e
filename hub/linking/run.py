"""Run a linking pass over a runtime's departments and graph, and remember it."""

from datetime import UTC, datetime

from hub.answers import data_changed
from hub.linking import records
from hub.linking.config import LinkingConfig, load_linking
from hub.linking.linker import Linker, Progress
from hub.linking.report import LinkReport
from hub.runtime import Runtime


async def link(
    runtime: Runtime,
    progress: Progress | None = None,
    changed_only: bool = False,
    config: LinkingConfig | None = None,
) -> LinkReport:
    """A full run, or (`changed_only`) one over what changed since each source's watermark;
    sources never scanned before are scanned whole. Reviewers' decisions are applied.
    `config` overrides the `[linking]` file of the settings."""
    config = config or load_linking(runtime.settings.linking_file)
    linker = Linker(runtime.registry, runtime.store, runtime.keys, config)
    for ref, person, decision in await records.decisions(runtime.sessions):
        if decision == "merge":
            linker.people.merge_into[ref] = person
        else:
            linker.people.kept_apart[ref].add(person)
    if changed_only and await runtime.links.unfinished() is not None:
        changed_only = False  # what changed since a build that never finished is everything
    since = await records.watermarks(runtime.sessions) if changed_only else None
    started = datetime.now(UTC)
    report = await linker.run(since or None, progress, incremental=changed_only)
    await records.save_run(runtime.sessions, report, started)
    await data_changed(runtime.redis)  # answers kept from the old graph no longer hold
    await runtime.store.checkpoint()  # a bulk write is persisted now, not at the next rule
    return report
