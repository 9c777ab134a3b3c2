from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.errors import AccordError
from accord.teams.models import Role, Team
from accord.teams.services import TeamsError, token_create, user_create


class Command(BaseCommand):
    help = "Add a person to a team with a role; --token prints a new API token on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--team", required=True, choices=Team.values)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", default=None)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--token", action="store_true", help="also create an API token")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user = user_create(
                username=opts["username"],
                team=opts["team"],
                role=opts["role"],
                password=opts["password"],
                email=opts["email"],
                first_name=opts["first_name"],
                last_name=opts["last_name"],
            )
        except (TeamsError, AccordError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"created {user.username} ({user.get_role_display()}, {user.get_team_display()})"
        )
        if opts["token"]:
            _, raw = token_create(user=user, name="created with accord createuser")
            self.stdout.write(raw)
