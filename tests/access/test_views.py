"""The access view itself: the subscription hook, principals with several roles."""

from hub.access.policy import Policy
from hub.access.principal import Principal
from hub.access.view import FieldRule, build_view
from hub.settings import REPO_ROOT

POLICY = Policy.from_dir(REPO_ROOT / "policies")


def test_the_subscription_hook_admits_only_rows_in_scope() -> None:
    worker = build_view(POLICY, Principal("w", ("grid_worker",), ("33010500400101",)))
    assert worker.admits("Event", "evt_1", "3301050040010199")
    assert not worker.admits("Event", "evt_1", "33010500400102")
    me = build_view(POLICY, Principal("prs_1", ("resident",), ()), ["prs_1"])
    assert me.admits("Person", "prs_1", "33010500400102")
    assert not me.admits("Person", "prs_2", "33010500400102")
    assert not me.admits("Event", "evt_1", "33010500400102")


def test_several_roles_never_widen_fields_beyond_any_one_role() -> None:
    both = Principal("prs_1", ("resident", "property_manager"), ("330105004001",))
    view = build_view(POLICY, both, ["prs_1"])
    assert view.rows.prefixes("Person") == ["330105004001"]
    assert view.field("Person", "name") is FieldRule.MASK
    assert view.field("Person", "birthDate") is FieldRule.ABSENT
    assert view.readable("Thing")  # the property manager's types stay readable
