"""Model permissions (the admin's) come in one query for staff accounts and not at all for others."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from minsheng.org.auth import UsernameOrPhoneBackend
from minsheng.org.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no permission cache from earlier reads


def test_a_staff_account_gets_its_own_and_its_groups_permissions_in_one_query(django_assert_num_queries):
    user = UserFactory(is_staff=True)
    own, through_group = Permission.objects.order_by("pk")[:2]
    user.user_permissions.add(own)
    group = Group.objects.create(name="区人大办公室")
    group.permissions.add(through_group, own)  # held both ways: counted once
    user.groups.add(group)
    expected = ModelBackend().get_all_permissions(fresh(user))
    assert len(expected) == 2
    reader = fresh(user)
    with django_assert_num_queries(1):
        assert UsernameOrPhoneBackend().get_all_permissions(reader) == expected
    with django_assert_num_queries(0):  # kept on the user object for the request
        assert UsernameOrPhoneBackend().get_all_permissions(reader) == expected
    assert fresh(user).has_perm(f"{own.content_type.app_label}.{own.codename}")


def test_a_superuser_has_every_permission_and_others_none():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert len(UsernameOrPhoneBackend().get_all_permissions(fresh(superuser))) == Permission.objects.count()
    held = Permission.objects.order_by("pk").first()
    for flags in ({"is_staff": False}, {"is_staff": True, "is_active": False}):
        user = UserFactory(**flags)
        user.user_permissions.add(held)
        assert UsernameOrPhoneBackend().get_all_permissions(fresh(user)) == set()
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(held)
    assert UsernameOrPhoneBackend().get_all_permissions(fresh(staff), obj=staff) == set()  # objects: rules
