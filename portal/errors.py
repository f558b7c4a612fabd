"""A "not found" that says why and where to go instead: the error page lists the pages that do exist."""

from dataclasses import dataclass

from django.core.exceptions import BadRequest
from django.http import Http404


@dataclass(frozen=True)
class Link:
    """A way forward from an error page: where it goes and what it is called."""

    url: str
    label: str


class NotFound(Http404):
    """Http404 with a reason for the visitor and links to the nearest pages that exist (published months, …)."""

    def __init__(self, reason: str, *, links: list[Link] | tuple[Link, ...] = ()):
        super().__init__(reason)
        self.links = list(links)


class Invalid(BadRequest):
    """A 400 whose reason is for the visitor: the address asks for something in a form the portal does not read
    (a period "2024-13"). The API answers the same text with the same status. `links` lead on, as NotFound's."""

    def __init__(self, reason: str, *, links: list[Link] | tuple[Link, ...] = ()):
        super().__init__(reason)
        self.links = list(links)


def nearest(available, asked_key: str | None, *, count: int = 3) -> list:
    """The `count` periods of `available` (PeriodSpans) closest in time to the asked key, nearest first.

    Months come first (they are what a visitor most often looks for), then quarters and years. With no
    usable asked key, the newest ones.
    """
    from indicators.periods import period_span_or_none

    asked = period_span_or_none(asked_key) if asked_key else None
    if asked is None:
        return sorted(available, key=lambda p: p.kind != "month")[:count]

    def index(p):
        year, month = p.months[-1]
        return year * 12 + month

    target = index(asked)
    ranked = sorted(available, key=lambda p: (p.kind != "month", abs(index(p) - target), -index(p)))
    return ranked[:count]
