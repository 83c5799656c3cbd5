"""Sign in with a username or a mainland mobile number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from minsheng.org.models import User


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        login = username.strip()
        user = User.objects.filter(Q(username=login) | Q(phone=login)).first()
        if user is None:
            User().set_password(
                password
            )  # spend the same time as a real check: no user enumeration by timing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
