"""The admission workflow (Art 7) as one table — WORKFLOW.md §1, names kept exactly."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import Role
from ssc.workflow.definition import DeadlineStart, Precondition, Transition, Workflow

from . import forms
from .models import ApplicationState as S

R = Role

CENTER_OPEN_ACCOUNTS = "center_open_accounts"


def outlet_data_complete(case: Any, payload: dict, actor: Any) -> Any:
    """Art 7(1): the application carries the outlet's complete data."""
    o = case.outlet
    missing = [
        label
        for ok, label in [
            (o.address, _("地址")),
            (o.latitude and o.longitude, _("坐标")),
            (o.weekday_hours or o.weekend_hours, _("营业时间")),
            (o.consultation_phone, _("咨询电话")),
            (o.complaint_phone, _("投诉电话")),
            (o.services.exists(), _("服务项目")),
        ]
        if not ok
    ]
    if missing:
        return _("网点信息不完整，缺少：%(m)s") % {"m": "、".join(str(m) for m in missing)}
    return None


def preparation_complete(case: Any, payload: dict, actor: Any) -> Any:
    """Art 7(4): system integration, hardware/software and trained staff are all done before going live."""
    prep = case.facts.get("preparation", {})
    missing = []
    if not prep.get("system_integration_done"):
        missing.append(_("系统对接"))
    if not prep.get("hardware_done"):
        missing.append(_("软硬件准备"))
    if not prep.get("trained_staff"):
        missing.append(_("人员培训"))
    if missing:
        return _("筹备事项未完成：%(m)s") % {"m": "、".join(str(m) for m in missing)}
    return None


BEFORE_FILING = (S.DRAFT, S.SUBMITTED, S.RETURNED, S.SITE_VERIFIED, S.APPROVED)

ADMISSION = Workflow(
    name="application",
    label=_("网点开设申请"),
    states={s.value: s.label for s in S},
    initial=S.DRAFT,
    terminal=frozenset({S.ACTIVE, S.REJECTED, S.WITHDRAWN}),
    transitions=[
        Transition(
            "submit",
            _("提交申请"),
            frozenset({R.BANK_APPLICANT}),
            (S.DRAFT, S.RETURNED),
            S.SUBMITTED,
            "7(1)",
            form=forms.SubmitForm,
            preconditions=(Precondition(outlet_data_complete, _("网点信息完整")),),
        ),
        Transition(
            "withdraw",
            _("撤回申请"),
            frozenset({R.BANK_APPLICANT}),
            BEFORE_FILING,
            S.WITHDRAWN,
            "4",
            form=forms.ReasonForm,
            irreversible=True,
            button_style="danger",
        ),
        Transition(
            "return",
            _("退回补正"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.SUBMITTED,),
            S.RETURNED,
            "7(2)",
            form=forms.ReturnForm,
            button_style="secondary",
        ),
        Transition(
            "record_site_verification",
            _("记录现场核实"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.SUBMITTED,),
            S.SITE_VERIFIED,
            "7(2)",
            form=forms.SiteVerificationForm,
        ),
        Transition(
            "decide",
            _("集体研究决定"),
            frozenset({R.DISTRICT_LEADER}),
            (S.SITE_VERIFIED,),
            "",
            "7(2)",
            form=forms.DecideForm,
            target_from_field="decision",
            targets=(S.APPROVED, S.REJECTED),
            irreversible=True,
        ),
        Transition(
            "file_with_center",
            _("报中心备案"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.APPROVED,),
            S.FILED,
            "7(2)",
            form=forms.FileWithCenterForm,
        ),
        Transition(
            "acknowledge_filing",
            _("确认备案"),
            frozenset({R.CENTER_OFFICER}),
            (S.FILED,),
            S.FILING_ACKNOWLEDGED,
            "7(2)",
            form=forms.AcknowledgeFilingForm,
        ),
        Transition(
            "notify_outlet",
            _("告知网点"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.FILING_ACKNOWLEDGED,),
            S.NOTIFIED,
            "7(3)",
            form=forms.NotifyOutletForm,
        ),
        Transition(
            "sign_agreement",
            _("签订合作协议"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.NOTIFIED,),
            S.PREPARING,
            "7(3)",
            form=forms.SignAgreementForm,
        ),
        Transition(
            "update_preparation",
            _("更新筹备情况"),
            frozenset({R.OUTLET_STAFF, R.BANK_APPLICANT}),
            (S.PREPARING,),
            S.PREPARING,
            "7(4)",
            form=forms.PreparationForm,
            button_style="secondary",
        ),
        Transition(
            "apply_go_live",
            _("申请开通"),
            frozenset({R.OUTLET_STAFF, R.BANK_APPLICANT}),
            (S.PREPARING,),
            S.GO_LIVE_APPLIED,
            "7(4)",
            form=forms.NoteForm,
            preconditions=(Precondition(preparation_complete, _("筹备事项全部完成")),),
        ),
        Transition(
            "inspect_readiness",
            _("开通验收"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.GO_LIVE_APPLIED,),
            "",
            "7(4)",
            form=forms.InspectReadinessForm,
            target_from_field="result",
            targets=(S.READINESS_PASSED, S.PREPARING),
        ),
        Transition(
            "request_system_opening",
            _("申请开通信息系统"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.READINESS_PASSED,),
            S.SYSTEM_OPENING_REQUESTED,
            "7(4)",
            form=forms.NoteForm,
            starts_deadline=DeadlineStart(
                CENTER_OPEN_ACCOUNTS,
                workdays=5,
                responsible="center",
                label=_("市社保卡服务中心开通账户、更新名单（5个工作日）"),
            ),
        ),
        Transition(
            "open_accounts",
            _("开通账户并更新名单"),
            frozenset({R.CENTER_OFFICER}),
            (S.SYSTEM_OPENING_REQUESTED,),
            S.ACTIVE,
            "7(5)",
            form=forms.OpenAccountsForm,
            stops_deadlines=(CENTER_OPEN_ACCOUNTS,),
            irreversible=True,
        ),
    ],
)
