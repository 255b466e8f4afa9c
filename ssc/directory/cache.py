"""Cache of the public directory, invalidated when the roster changes (a version is published or an entry hidden).

Every cached response is keyed by the roster *generation*: ``"<latest version number>.<hidden entries>"``.
Within one version the number of hidden entries only grows (``hide``), and every publish makes a new version,
so the generation changes with every change of what the public may see, and every process derives the same
value from the database. It is itself cached for a few seconds (``SSC_DIRECTORY_GENERATION_TTL``) and dropped
by the ``roster_published`` signal, at once in the publishing process and — with the shared Redis cache of
production — in every process; with the per-process default cache, other processes follow within that TTL.
The WSGI fast path reads it through :func:`recent_generation` (half a second more, at most, in other processes).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.dispatch import receiver

from ssc.roster.models import RosterEntry, RosterVersion
from ssc.roster.signals import roster_published

GENERATION_KEY = "directory:generation"


def generation_ttl() -> float:
    return float(getattr(settings, "SSC_DIRECTORY_GENERATION_TTL", 5))


def max_age() -> int:
    """``Cache-Control: max-age`` of public responses (seconds)."""
    return int(getattr(settings, "SSC_DIRECTORY_MAX_AGE", 60))


def _db_generation() -> str:
    number = RosterVersion.objects.aggregate(m=Max("number"))["m"] or 0
    hidden = RosterEntry.objects.filter(hidden=True).count()
    return f"{number}.{hidden}"


def generation() -> str:
    """The current roster generation (see the module docstring)."""
    gen = cache.get(GENERATION_KEY)
    if gen is None:
        gen = _db_generation()
        cache.set(GENERATION_KEY, gen, generation_ttl())
    return str(gen)


# ``recent_generation``'s memo: (generation, monotonic time until which it is used), and the number of
# invalidations so far (a value read before an invalidation is never remembered after it).
_recent: tuple[str, float] | None = None
_invalidations = 0
RECENT_SECONDS = 0.5


def recent_generation() -> str:
    """:func:`generation` as this process read it at most ``RECENT_SECONDS`` ago (the fast path's, so a replay
    does not pay a cache lookup); :func:`invalidate` drops it at once."""
    global _recent
    memo, now = _recent, time.monotonic()
    if memo is not None and now < memo[1]:
        return memo[0]
    seen = _invalidations
    gen = generation()
    if seen == _invalidations:  # another thread may have invalidated while this one read the old value
        _recent = (gen, now + RECENT_SECONDS)
    return gen


def invalidate() -> None:
    global _recent, _invalidations
    _invalidations += 1
    _recent = None
    cache.delete(GENERATION_KEY)


@receiver(roster_published, dispatch_uid="ssc.directory.invalidate")
def _on_roster_published(sender: Any, **kwargs: Any) -> None:
    invalidate()


def key(*parts: Any) -> str:
    """A short cache key (and ETag body) for ``parts``."""
    raw = "\x1f".join(str(p) for p in parts)
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
