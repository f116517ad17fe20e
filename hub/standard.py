"""The unified data standard: entity kinds and the attributes a department may map into them."""

from enum import StrEnum


class EntityKind(StrEnum):
    PERSON = "Person"
    PLACE = "Place"
    EVENT = "Event"
    THING = "Thing"
    ORGANIZATION = "Organization"


class FieldType(StrEnum):
    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    JSON = "json"


S, N, F, B, D, T, J = (
    FieldType.STRING,
    FieldType.INT,
    FieldType.FLOAT,
    FieldType.BOOL,
    FieldType.DATE,
    FieldType.DATETIME,
    FieldType.JSON,
)

# Standard attribute name -> type, per entity kind. Connectors map source columns to these names.
STANDARD_FIELDS: dict[EntityKind, dict[str, FieldType]] = {
    EntityKind.PERSON: {
        "name": S,
        "gender": S,
        "birthDate": D,
        "idNumber": S,
        "ethnicity": S,
        "phone": S,
        "hukouAddress": S,
        "residenceAddress": S,
        "householdNo": S,
        "relationToHead": S,
        "careLevel": S,
        "livingAlone": B,
        "subsidyType": S,
        "subsidyAmount": F,
        "disabilityGrade": S,
        "address": S,
        "roomKey": S,
        "areaSqm": F,
    },
    EntityKind.PLACE: {
        "name": S,
        "address": S,
        "estateName": S,
        "buildingNo": S,
        "unitNo": S,
        "roomNo": S,
        "districtName": S,
        "streetName": S,
        "communityName": S,
        "communityCode": S,
        "gridCode": S,
        "floors": N,
        "units": N,
        "builtYear": N,
        "propertyCompany": S,
        "buildingKey": S,
        "areaSqm": F,
    },
    EntityKind.EVENT: {
        "eventType": S,
        "category": S,
        "title": S,
        "description": S,
        "status": S,
        "address": S,
        "occurredAt": T,
        "closedAt": T,
        "respondedAt": T,
        "satisfaction": S,
        "direction": S,
        "personKey": S,
        "roomKey": S,
        "reporterPhone": S,
        "timeline": J,
        "value": F,
    },
    EntityKind.THING: {
        "name": S,
        "category": S,
        "status": S,
        "installedAt": D,
        "lastInspectedAt": D,
        "buildingKey": S,
    },
    EntityKind.ORGANIZATION: {
        "name": S,
        "category": S,
        "phone": S,
        "address": S,
    },
}
