"""`Services`: precise services of one hub process, built once with the runtime."""

from typing import TYPE_CHECKING

from hub.alerts import inputs
from hub.services import alerting, config
from hub.services.audience import Member, person_groups
from hub.services.catalogue import Catalogue
from hub.services.groups import GroupCounter
from hub.services.projects import Projects
from hub.services.suggestions import Suggestions
from hub.services.surveys import Surveys

if TYPE_CHECKING:
    from hub.runtime import Runtime


class Services:
    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        self.vocabulary = config.load()
        self.catalogue = Catalogue(self.vocabulary)
        self.groups = GroupCounter(runtime, self.vocabulary)
        self.projects = Projects(self.catalogue)
        self.surveys = Surveys(runtime.civic.text)
        self.suggestions = Suggestions(self)
        self.feed_alerts()

    def feed_alerts(self) -> None:
        """Forecasts above a module's capacity become early warnings (hub.services.alerting)."""
        inputs.provide(alerting.INPUT, lambda prefix: alerting.over_capacity(self, prefix))

    def respondent_key(self, subject: str) -> str:
        """A resident as a survey sees her: a keyed hash, never her id."""
        return self.runtime.keys.digest("survey-respondent", subject)

    async def member(self, subject: str | None) -> Member | None:
        """A resident as survey audiences see her (None: no resident of a community)."""
        if not subject or not subject.startswith("prs_"):
            return None
        node = (await self.runtime.links.nodes("Person", [subject], None)).get(subject)
        if node is None or not node.jurisdiction or len(node.jurisdiction) < 12:
            return None
        return Member(node.jurisdiction[:12], self.respondent_key(subject),
                      await person_groups(self, node))

    async def community_of(self, subject: str | None) -> str | None:
        """The community a resident lives in, from the link graph."""
        if not subject:
            return None
        jurisdiction = await self.runtime.civic.person_jurisdiction(subject)
        return jurisdiction[:12] if jurisdiction and len(jurisdiction) >= 12 else None
