"""Writes to the registry (登记簿). Views, API and import call these; each write is audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ssc.audit import services as audit
from ssc.core.errors import InvalidState, NotAllowed, NotFound, StaleVersion, ValidationFailed

from .choices import OutletStatus
from .models import INSTANT_ISSUANCE_CODE, CardService, Outlet

# Fields of an outlet that master-data editors may set.
OUTLET_FIELDS = [
    "code",
    "name",
    "bank",
    "sub_branch",
    "district",
    "address",
    "latitude",
    "longitude",
    "weekday_hours",
    "weekend_hours",
    "hours_note",
    "consultation_phone",
    "complaint_phone",
    "interconnection_mode",
    "jinyu_migration_planned_on",
]
# Status is never edited as master data: it follows the outlet's cases (WORKFLOW.md §2).
AUDITED_OUTLET_FIELDS = [*OUTLET_FIELDS, "status", "instant_issuance", "version"]


def _validation_errors(exc: ValidationError) -> dict[str, list[Any]]:
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def _outlet_state(outlet: Outlet, services: Iterable[str] | None = None) -> dict[str, Any]:
    data = audit.snapshot(outlet, AUDITED_OUTLET_FIELDS)
    data["services"] = (
        sorted(services) if services is not None else sorted(outlet.services.values_list("code", flat=True))
    )
    return data


def _resolve_services(codes: Iterable[str]) -> list[CardService]:
    codes = list(dict.fromkeys(codes))
    found = list(CardService.objects.filter(code__in=codes, is_active=True))
    missing = sorted(set(codes) - {s.code for s in found})
    if missing:
        raise ValidationFailed(errors={"services": [f"未知或已停用的服务项目：{', '.join(missing)}"]})
    return found


def _full_clean(outlet: Outlet, exclude: list[str] | None = None) -> None:
    try:
        outlet.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed(errors=_validation_errors(exc)) from exc


def check_can_change(*, actor: Any, outlet: Outlet) -> None:
    """404 when the outlet is outside what the actor may see, 403 when seen but not changeable."""
    if not Outlet.objects.restrict(actor, "view").filter(pk=outlet.pk).exists():
        raise NotFound()
    if not Outlet.objects.restrict(actor, "change").filter(pk=outlet.pk).exists():
        raise NotAllowed()


@transaction.atomic
def outlet_create(
    *, actor: Any, data: dict[str, Any], services: Iterable[str] = (), audit_event: bool = True, article: str = ""
) -> Outlet:
    """登记网点 — register an outlet in the registry."""
    outlet = Outlet(**{k: v for k, v in data.items() if k in OUTLET_FIELDS or k in ("status", "id")})
    _full_clean(outlet)
    service_objs = _resolve_services(services)
    if actor is not None and not Outlet.scope_filter_allows_create(actor, outlet):
        raise NotAllowed()
    outlet.instant_issuance = any(s.code == INSTANT_ISSUANCE_CODE for s in service_objs)
    outlet.save()
    outlet.services.set(service_objs)
    if audit_event:
        audit.record(
            action="outlet.create",
            obj=outlet,
            after=_outlet_state(outlet, [s.code for s in service_objs]),
            article=article,
            actor=actor,
        )
    return outlet


@transaction.atomic
def outlet_update(
    *,
    actor: Any,
    outlet_id: int,
    data: dict[str, Any],
    services: Iterable[str] | None = None,
    expected_version: int | None = None,
    article: str = "",
) -> Outlet:
    """修改网点信息 — change an outlet's master data (optimistic lock on ``version``)."""
    outlet = Outlet.objects.restrict(actor, "view").select_for_update().filter(pk=outlet_id).first()
    if outlet is None:
        raise NotFound()
    check_can_change(actor=actor, outlet=outlet)
    if outlet.status == OutletStatus.TERMINATED:
        # An outlet that has left (Art 8, 9) keeps its record as it was; a new application reopens it.
        raise InvalidState(_("网点已退出合作，信息保留为历史记录，不可修改；如需重新合作，请提交新的准入申请。"))
    if expected_version is not None and expected_version != outlet.version:
        raise StaleVersion()
    before = _outlet_state(outlet)
    for key, value in data.items():
        if key not in OUTLET_FIELDS:
            raise ValidationFailed(errors={key: ["该字段不可修改。"]})
        setattr(outlet, key, value)
    _full_clean(outlet)
    if outlet.bank_id != before["bank_id"] and not actor.is_citywide:
        raise ValidationFailed(errors={"bank": ["只有市社保卡服务中心可以变更网点所属银行。"]})
    if outlet.district_id != before["district_id"] and not actor.is_citywide:
        raise ValidationFailed(errors={"district": ["只有市社保卡服务中心可以变更网点所在区县。"]})
    codes = None
    if services is not None:
        objs = _resolve_services(services)
        outlet.services.set(objs)
        codes = [s.code for s in objs]
        outlet.instant_issuance = INSTANT_ISSUANCE_CODE in codes
    outlet.version = F("version") + 1
    outlet.save()
    outlet.refresh_from_db()
    after = _outlet_state(outlet, codes)
    b, a = audit.diff(before, after)
    audit.record(action="outlet.update", obj=outlet, before=b, after=a, article=article, actor=actor)
    return outlet
