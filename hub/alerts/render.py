"""An alert's title and message: the rule's text with the fields it names filled in
({Place.name}, {Person.name}, …). The check made sure every recipient reads them in clear."""

from hub.alerts.lifecycle import Firing
from hub.alerts.rules import FIELD_REF
from hub.alerts.world import World

UNKNOWN = "（未知）"


async def render(world: World, firing: Firing) -> tuple[str, str]:
    rule = firing.rule
    wanted: dict[str, list[str]] = {}
    for ref in rule.shown_fields():
        kind, field = ref.split(".", 1)
        wanted.setdefault(kind, []).append(field)
    values: dict[str, str] = {}
    for kind, fields in wanted.items():
        entity = firing.place_id if kind == "Place" else firing.person_id
        if not entity:
            continue
        found = (await world.shown(kind, [entity], fields)).get(entity, {})
        for field in fields:
            value = found.get(field)
            if value is not None and not isinstance(value, Exception):
                values[f"{kind}.{field}"] = str(value)
    message = FIELD_REF.sub(lambda m: values.get(m.group(1), UNKNOWN), rule.message)
    return rule.title, message
