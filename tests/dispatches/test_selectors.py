"""Who may act on a unit's dispatches: one helper, roles on the unit or an ancestor."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role, UnitAssignment
from dispatches.selectors import dispatch_allowed
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("where", "role", "allowed"),
    [
        ("commune-parent", Role.STAFF, {"view", "edit", "download"}),
        ("commune-parent", Role.LEADER, {"view", "edit", "download", "finalise", "publish"}),
        ("province", Role.ADMIN, {"view", "edit", "download", "finalise", "publish"}),
        ("other-district", Role.LEADER, set()),
    ],
)
def test_roles_on_the_unit_or_an_ancestor_decide(unit_tree, where, role, allowed):
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    unit = {
        "commune-parent": tien_lu,
        "province": tien_lu.parent,
        "other-district": AdministrativeUnit.objects.get(tree="legacy", code="328"),
    }[where]
    user = get_user_model().objects.create_user(username="u", password="x")
    UnitAssignment.objects.create(user=user, unit=unit, role=role)
    commune = tien_lu.children.first()
    for action in ["view", "edit", "download", "finalise", "publish"]:
        assert dispatch_allowed(user=user, unit=commune, action=action) is (action in allowed), action


def test_superuser_may_everything_and_anonymous_nothing(unit_tree):
    unit = AdministrativeUnit.objects.get(tree="legacy", code="332")
    boss = get_user_model().objects.create_superuser(username="boss", password="x")
    assert dispatch_allowed(user=boss, unit=unit, action="publish")
    assert not dispatch_allowed(user=AnonymousUser(), unit=unit, action="view")
    inactive = get_user_model().objects.create_user(username="off", password="x", is_active=False)
    UnitAssignment.objects.create(user=inactive, unit=unit, role=Role.LEADER)
    assert not dispatch_allowed(user=inactive, unit=unit, action="view")
