"""The one error type that services raise for a user's mistake.

Views turn it into a form message, the API into a 4xx JSON body with field messages, and the
CLI into a one-line reason on stderr with exit status 1. Never a traceback.
"""

from __future__ import annotations


class AccordError(ValueError):
    """A request that cannot be carried out, with a reason a user can act on.

    ``fields`` maps a field name to its messages when the fault lies in particular fields.
    """

    status = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotAllowed(AccordError):
    """The acting user may not do this."""

    status = 403


class Conflict(AccordError):
    """The request clashes with the current state (a duplicate, an illegal move)."""

    status = 409
