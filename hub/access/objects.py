"""The vocabulary shared by code and `policies/`: objects, actions, and the fields of each type.

A policy line names an object from here (`Person`, `Person.idNumber`, `rows.Person`,
`stats.residentsByCommunity`, `audit.log`, …) and an action from `Action`; `hub policy check`
refuses a policy that names anything else, so a typo cannot silently grant or withhold.
"""

from enum import StrEnum


class Action(StrEnum):
    """What a subject does to an object."""

    READ = "read"  # a type's rows, a field in clear, the access log, the policies
    MASK = "mask"  # a field, shown masked (330206********1234, 138****5678, 张*)
    AGGREGATE = "aggregate"  # a statistic, with small-cell suppression
    WRITE = "write"  # a mutation
    EXPORT = "export"  # the access log as CSV
    ANY = "any"  # rows.<Type>: every row, whatever its jurisdiction
    IN_JURISDICTION = "in_jurisdiction"  # rows.<Type>: rows under the token's jurisdiction(s)
    OWN = "own"  # rows.<Type>: the subject's own record and household


class Obj(StrEnum):
    """Objects that are not a field of an entity type."""

    PERSON = "Person"
    PLACE = "Place"
    EVENT = "Event"
    THING = "Thing"
    ORGANIZATION = "Organization"
    STATS_RESIDENTS = "stats.residentsByCommunity"
    ACCESS_LOG = "audit.log"
    POLICY = "policy"
    SCHEMA = "schema"  # the federation SDL (`_service`) in production mode
    # The residents' voice (hub/civic): opinions, hotspots, agenda, council, plans, KPIs.
    OPINION = "civic.opinion"  # read: opinions in jurisdiction; write: answer them
    RATING = "civic.rating"  # write: rate the answer to one's own opinion
    HOTSPOT = "civic.hotspot"  # read: hotspots with their supporting opinions
    AGENDA = "civic.agenda"  # write: generate, accept, merge, edit, reject topics
    COUNCIL = "civic.council"  # write: schedule sessions, open ballots, record decisions
    BALLOT = "civic.ballot"  # write: cast one's own vote
    PLAN = "civic.plan"  # write: co-governance plans, tasks, progress
    TASK = "civic.task"  # write: progress of the tasks assigned to one's organisation
    KPI = "civic.kpi"  # read: 接诉即办 indicators
    CORRECTION = "civic.correction"  # write: correct an opinion's class, attach it by hand
    PLACE_DIRECTORY = "places.directory"  # read: names and levels of one's street's estates,
    # buildings and units (the residents' place picker): no address, no attribute, nobody
    # Precise services (hub/services): catalogue, target groups, demand, projects, surveys.
    SERVICE_MODULE = "services.module"  # read: see modules; write: manage the catalogue
    TARGET_GROUP = "services.targetGroup"  # read: sizes in jurisdiction; aggregate: counts
    SERVICE_DEMAND = "services.demand"  # read: demand, suggestions; write: decide on them
    SERVICE_PROJECT = "services.project"  # read; write: resources, targets, progress, outcome
    SURVEY = "services.survey"  # read: results; write: design, send, close questionnaires
    SURVEY_ANSWER = "services.answer"  # write: answer a survey on one's own behalf
    SERVICE_USER = "services.user"  # write: record a resident served by a project
    # A project's stage move is the stage it enters (hub/services/projects.py STAGES).
    STAGE_FIND_RESOURCES = "services.stage.find_resources"
    STAGE_REVIEW = "services.stage.review"
    STAGE_SET_TARGETS = "services.stage.set_targets"  # leaving 评估项目审批: the approval
    STAGE_IMPLEMENT = "services.stage.implement"
    STAGE_EVALUATE = "services.stage.evaluate"
    STAGE_FEEDBACK = "services.stage.feedback"
    LINK_REVIEW = "linking.review"  # read: link report and candidates; write: confirm or split
    # Early warnings (hub/alerts): alerts reach the (role, jurisdiction) pairs a rule names.
    ALERT = "alert.alert"  # read: alerts addressed to one's role here; write: their lifecycle
    ALERT_RULES = "alert.rule"  # read: the rules in force and their status


ENTITY_TYPES = ("Person", "Place", "Event", "Thing", "Organization")

ROW_ACTIONS = (Action.ANY, Action.IN_JURISDICTION, Action.OWN)
"""Row-scope actions, widest first: the first one allowed decides."""

COMMON_FIELDS = ("jurisdiction", "sources")

# Every field of every entity type as the GraphQL schema names it (a test keeps this in step
# with the schema). `id` and `__typename` are part of reading the type itself.
FIELDS: dict[str, tuple[str, ...]] = {
    "Person": (
        *COMMON_FIELDS,
        "name",
        "gender",
        "birthDate",
        "idNumber",
        "ethnicity",
        "phone",
        "hukouAddress",
        "residenceAddress",
        "householdNo",
        "relationToHead",
        "careLevel",
        "livingAlone",
        "subsidyType",
        "subsidyAmount",
        "disabilityGrade",
        "residence",
        "registeredAt",
        "household",
        "neighbours",
        "events",
    ),
    "Place": (
        *COMMON_FIELDS,
        "level",
        "name",
        "address",
        "estateName",
        "floors",
        "units",
        "builtYear",
        "propertyCompany",
        "areaSqm",
        "parent",
        "children",
        "residents",
        "residentsConnection",
        "events",
        "eventsConnection",
        "things",
        "managers",
    ),
    "Event": (
        *COMMON_FIELDS,
        "eventType",
        "occurredAt",
        "category",
        "title",
        "description",
        "status",
        "address",
        "closedAt",
        "direction",
        "timeline",
        "value",
        "place",
        "people",
        "organizations",
    ),
    "Thing": (
        *COMMON_FIELDS,
        "name",
        "category",
        "status",
        "installedAt",
        "lastInspectedAt",
        "place",
    ),
    "Organization": (*COMMON_FIELDS, "name", "category", "places"),
}

ALWAYS = frozenset({"id", "__typename"})


def field_object(type_name: str, field: str) -> str:
    """The policy object of one field: `Person.idNumber`."""
    return f"{type_name}.{field}"


def row_object(type_name: str) -> str:
    return f"rows.{type_name}"


def known_objects() -> frozenset[str]:
    """Every object a policy line may name (wildcards are checked against these)."""
    names = {o.value for o in Obj}
    names |= {row_object(t) for t in ENTITY_TYPES}
    names |= {field_object(t, f) for t, fields in FIELDS.items() for f in fields}
    return frozenset(names)
