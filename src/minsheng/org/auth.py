"""Sign in with a username or a mainland mobile number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.http import HttpRequest

from minsheng.core.queries import row_by_pk
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

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user of a request, read without the ORM's compiling (``core.queries.row_by_pk``):
        every signed-in request reads it."""
        user = row_by_pk(User, user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

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
    """The user's own and their groups' model permissions in one statement written here (Django's
    backend asks two, each costlier to compile than to answer: a staff account's every page reads them
    for its menu)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections, router

    alias = router.db_for_read(Permission)
    quote = connections[alias].ops.quote_name
    permission, content_type = quote(Permission._meta.db_table), quote(ContentType._meta.db_table)
    own = quote(User.user_permissions.through._meta.db_table)
    group_permissions = quote(Permission.group_set.through._meta.db_table)
    user_groups = quote(User.groups.through._meta.db_table)
    # Every name below is a model's quoted table; the user's id goes as a parameter.
    sql = f"SELECT c.app_label, p.codename FROM {permission} p JOIN {content_type} c"  # noqa: S608
    sql += " ON c.id = p.content_type_id"
    params: list[Any] = []
    if not user.is_superuser:
        mine = f"SELECT permission_id FROM {own} WHERE user_id = %s"  # noqa: S608
        grouped = f"SELECT g.permission_id FROM {group_permissions} g JOIN {user_groups} u"  # noqa: S608
        grouped += " ON u.group_id = g.group_id WHERE u.user_id = %s"
        sql += f" WHERE p.id IN ({mine}) OR p.id IN ({grouped})"
        params = [user.pk, user.pk]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
