"""`accord agreement {show|remind}`: the agreement from the command line.

- ``show [VERSION]`` prints a version (default: the one in force) as the same sections the page,
  the print view and the PDF show, as text or JSON;
- ``remind`` raises the review reminder of the version in force when its review date is near
  (run it daily, e.g. from cron; running it again raises nothing new).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.agreement.models import Agreement, ReviewReminder
from accord.agreement.selectors import (
    Section,
    agreement_by_version,
    agreement_document,
    agreement_in_force,
)
from accord.agreement.signoff import REVIEW_NOTICE_DAYS, review_reminders_raise
from accord.errors import AccordError
from accord.teams.models import Team


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "The agreement: `show` prints a version, `remind` raises the review reminder."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        show = actions.add_parser(
            "show",
            help="print a version of the agreement (default: the one in force)",
            description="Print a version of the agreement: its terms, definitions, scoring "
            "rules and personas, and its signatures.",
        )
        show.add_argument("version", nargs="?", type=int, help="the version (default: in force)")
        show.add_argument("--format", choices=["text", "json"], default="text")
        remind = actions.add_parser(
            "remind",
            help="raise the review reminder when the review date is near",
            description=f"Raise the review reminder of the version in force once its review "
            f"date is {REVIEW_NOTICE_DAYS} days away or less. Safe to run daily.",
        )
        remind.add_argument(
            "--today", type=_date, default=None, help="the day to check as (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "show":
                self.show(opts["version"], opts["format"])
            else:
                self.remind(opts["today"])
        except AccordError as exc:
            raise CommandError(exc.message) from exc

    def show(self, version: int | None, form: str) -> None:
        if version is None:
            agreement = agreement_in_force()
            if agreement is None:
                raise CommandError(
                    "no agreement is in force yet: name a version (accord agreement show 2)"
                )
        else:
            agreement = agreement_by_version(version)
            if agreement is None:
                raise CommandError(f"there is no agreement v{version}")
        sections = agreement_document(agreement)
        if form == "json":
            self.stdout.write(json.dumps(document_json(agreement, sections), indent=2))
        else:
            self.stdout.write(render_document(agreement, sections))

    def remind(self, today: dt.date | None) -> None:
        raised = review_reminders_raise(today=today)
        for reminder in raised:
            self.stdout.write(
                f"Review of agreement v{reminder.agreement.version} is due on "
                f"{reminder.review_date.isoformat()}: reminder raised."
            )
        if raised:
            return
        current = agreement_in_force()
        if current is None:
            self.stdout.write("No agreement is in force: nothing to review.")
        elif ReviewReminder.objects.filter(agreement=current).exists():
            self.stdout.write(
                f"The review reminder of v{current.version} was already raised "
                f"(review due on {current.review_date})."
            )
        elif current.review_date is None:
            self.stdout.write(f"Agreement v{current.version} has no review date.")
        else:
            self.stdout.write(
                f"No review due within {REVIEW_NOTICE_DAYS} days: v{current.version} is "
                f"reviewed on {current.review_date.isoformat()}."
            )


def _signatures(agreement: Agreement) -> list[dict[str, Any]]:
    return [
        {
            "team": s.team,
            "signed_by": str(s.signed_by),
            "signed_at": s.signed_at.isoformat(),
        }
        for s in agreement.signatures.select_related("signed_by")
    ]


def document_json(agreement: Agreement, sections: list[Section]) -> dict[str, Any]:
    return {
        "version": agreement.version,
        "title": agreement.title,
        "status": agreement.status,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "items": [
                    {"key": i.key, "label": i.label, "value": i.value, "lines": list(i.lines)}
                    for i in s.items
                ],
            }
            for s in sections
        ],
        "signatures": _signatures(agreement),
    }


def render_document(agreement: Agreement, sections: list[Section]) -> str:
    """The document for a person at a terminal: a heading per section, a label per term."""
    status = agreement.get_status_display().lower()
    lines = [f"Agreement v{agreement.version}: {agreement.title} ({status})"]
    for section in sections:
        lines += ["", section.title, "-" * len(section.title)]
        width = min(max((len(i.label) for i in section.items), default=0), 34)
        for item in section.items:
            texts = list(item.lines) or [item.value or "—"]
            lines.append(f"{item.label:<{width}}  {texts[0]}")
            lines += [f"{'':<{width}}  {text}" for text in texts[1:]]
    lines += ["", "Signatures", "----------"]
    signed = {s["team"]: s for s in _signatures(agreement)}
    for team in (Team.MARKETING, Team.SALES):
        s = signed.get(team)
        mark = f"{s['signed_by']}, {s['signed_at'][:10]}" if s else "not signed"
        lines.append(f"{Team(team).label:<10}  {mark}")
    return "\n".join(lines)
