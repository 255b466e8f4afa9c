"""Demo data: the first published roster — the cooperating outlets already in the demo world."""

from __future__ import annotations

import random

from django.utils.translation import gettext as _

from ssc.registry.choices import PUBLIC_STATUSES
from ssc.registry.models import Outlet

from . import services
from .models import RosterEntry


def publish_initial_roster(rng: random.Random) -> str:
    """Publish every cooperating outlet not yet on the roster as one version (idempotent)."""
    ids = list(
        Outlet.objects.filter(status__in=PUBLIC_STATUSES)
        .exclude(pk__in=RosterEntry.objects.values("outlet_id"))
        .values_list("pk", flat=True)
    )
    if not ids:
        return str(_("合作网点名单已是最新，未发布新版本。"))
    version = services.publish(outlet_ids=ids, actor=None, reason=_("初始名单：现有合作网点录入系统"))
    if version is None:
        return str(_("合作网点名单已是最新，未发布新版本。"))
    return str(
        _("已发布合作网点名单第 %(n)d 版（新增 %(a)d 个网点）。") % {"n": version.number, "a": version.added_count}
    )
