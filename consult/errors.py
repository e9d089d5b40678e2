"""The Consult engine's errors: subclasses of the project's base error, with advice."""

from assistant.errors import GuidanceError


class ConsultError(GuidanceError):
    """A consultation file or theme framework could not be used; the message says what to do."""


class ReviewError(ConsultError):
    """A review action could not be applied (e.g. an unknown theme); nothing was changed."""
