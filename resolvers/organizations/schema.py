"""Root fields for organisations."""

import strawberry

from resolvers.common import Connection, fetch_one, page_of
from resolvers.context import Info
from resolvers.organizations.types import Organization


@strawberry.type
class OrganizationsQuery:
    @strawberry.field(description="按枢纽编号查组织")
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        return await fetch_one(info, Organization, str(id))

    @strawberry.field(description="分页列出组织")
    async def organizations(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Organization] | None:
        wrap = Organization
        return await page_of(info, "Organization", wrap, first, after, {})
