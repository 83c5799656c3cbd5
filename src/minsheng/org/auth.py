"""Sign in with a username or a mainland mobile number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
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

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """Django's model permissions serve its admin only, which lets in staff accounts alone: for
        anyone else there are none to read (every page's menu would otherwise ask the database twice
        for a permission the rules deny). Roles come from memberships, through the rules backend."""
        if not getattr(user_obj, "is_staff", False):
            return set()
        if not user_obj.is_active or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):  # where Django's ModelBackend keeps them per request
            user_obj._perm_cache = _model_permissions(user_obj)
        return user_obj._perm_cache


def _model_permissions(user: Any) -> set[str]:
    """The user's own and their groups' model permissions in one query (Django's backend asks two:
    a staff account's every page reads them for its menu)."""
    permissions = Permission.objects.all()
    if not user.is_superuser:
        permissions = permissions.filter(Q(user=user) | Q(group__user=user))
    rows = permissions.values_list("content_type__app_label", "codename").order_by()
    return {f"{app_label}.{codename}" for app_label, codename in rows}
