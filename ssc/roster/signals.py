"""``roster_published``: sent after a roster version commits (caches of the public directory listen)."""

from django.dispatch import Signal

roster_published = Signal()
