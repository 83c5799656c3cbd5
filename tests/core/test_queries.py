"""Reads written as SQL give what the ORM gives: the same fields, converted the same way."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from minsheng.core.queries import row_by_pk
from minsheng.org.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fields_of(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_row_by_pk_reads_what_the_orm_reads():
    user = UserFactory(phone="13900001111", first_name="测试")
    user.last_login = timezone.now()
    user.save()
    read = row_by_pk(User, user.pk)
    assert read is not None and fields_of(read) == fields_of(User.objects.get(pk=user.pk))
    assert timezone.is_aware(read.last_login) and not read._state.adding  # a saved row, as the ORM's
    assert row_by_pk(User, user.pk + 1000) is None


def test_a_session_is_read_while_valid_and_not_after_it_expires():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert client.get("/me/").status_code == 200  # the role home opens for a signed-in user
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get("/me/").status_code == 302  # expired: signed out, sent to sign in
