"""`minsheng api_token create USERNAME NAME`: make a bearer token for the JSON API and print its key once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from minsheng.core.errors import DomainError
from minsheng.org.models import ApiToken, User
from minsheng.org.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create or revoke API tokens. The key is printed once and cannot be shown again."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token for a user and print its key")
        create.add_argument("username")
        create.add_argument("name", help="what the token is for, e.g. the program that uses it")
        revoke = actions.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options["username"], options["name"])
            else:
                self._revoke(options["token_id"])
        except DomainError as error:
            raise CommandError(error.message) from error

    def _create(self, username: str, name: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user is named “%(username)s”.") % {"username": username})
        # The command line is the system acting: the operator already controls the server.
        token, key = api_token_create(actor=None, user=user, name=name)
        self.stderr.write(
            _("Token %(id)s “%(name)s” for %(username)s. Keep the key safe: it is shown only this once.")
            % {"id": token.pk, "name": token.name, "username": user.username}
        )
        # The key alone on stdout, so that scripts can capture it.
        self.stdout.write(key)

    def _revoke(self, token_id: int) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
        if token is None:
            raise CommandError(_("No API token has the id %(id)s.") % {"id": token_id})
        api_token_revoke(actor=None, token=token)
        self.stderr.write(_("Token %(id)s revoked.") % {"id": token_id})
