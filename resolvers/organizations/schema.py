"""Root fields for organisations."""

import strawberry

from resolvers.common import Connection, page_of
from resolvers.context import Info
from resolvers.organizations.types import Organization


@strawberry.type
class OrganizationsQuery:
    @strawberry.field(description="按枢纽编号查组织")
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        node = await info.context.entities.get("Organization", str(id))
        return Organization(node=node) if node else None

    @strawberry.field(description="分页列出组织")
    async def organizations(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Organization]:
        wrap = lambda n: Organization(node=n)  # noqa: E731
        return await page_of(info, "Organization", wrap, first, after, {})
