"""Statuses and kinds of the registry, declared once with labels and badge colours."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DistrictKind(models.TextChoices):
    DISTRICT = "district", _("区")
    COUNTY = "county", _("县")
    ZONE = "zone", _("功能区")


class OrganisationKind(models.TextChoices):
    CENTER = "center", _("市社会保障卡服务中心")
    HRSS = "hrss", _("市人力资源和社会保障局")
    NFRA = "nfra", _("国家金融监督管理总局重庆监管局")
    DISTRICT_AGENCY = "district_agency", _("区县社会保障卡管理机构")
    BANK_BRANCH = "bank_branch", _("银行总行/重庆分行")
    SUB_BRANCH = "sub_branch", _("一级支行")
    HOTLINE = "hotline", _("热线")
    OPERATOR = "operator", _("平台运维单位")


class OutletStatus(models.TextChoices):
    """Derived from the outlet's cases (WORKFLOW.md §2); shown everywhere with the same colour."""

    APPLYING = "applying", _("申请中")
    PREPARING = "preparing", _("筹备中")
    ACTIVE = "active", _("合作中")
    UNDER_RECTIFICATION = "under_rectification", _("整改中")
    TERMINATING = "terminating", _("退出中")
    TERMINATED = "terminated", _("已退出")
    REJECTED = "rejected", _("未通过")
    # Not in WORKFLOW.md §2: an application withdrawn by the bank (Art 4, voluntary) leaves its outlet neither
    # rejected nor applying; the record stays for history and the outlet may apply again later.
    WITHDRAWN = "withdrawn", _("已撤回")


OUTLET_STATUS_COLOURS = {
    OutletStatus.APPLYING: "blue",
    OutletStatus.PREPARING: "cyan",
    OutletStatus.ACTIVE: "green",
    OutletStatus.UNDER_RECTIFICATION: "amber",
    OutletStatus.TERMINATING: "orange",
    OutletStatus.TERMINATED: "grey",
    OutletStatus.REJECTED: "red",
    OutletStatus.WITHDRAWN: "grey",
}

# Statuses shown in the public directory (WORKFLOW.md §2).
PUBLIC_STATUSES = (OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION)


class InterconnectionMode(models.TextChoices):
    """Art 6(2): legacy bank–SSC link or the Jinyu Net (金渝网) platform."""

    LEGACY = "legacy", _("原社银直连")
    JINYU = "jinyu", _("金渝网")


class AccountType(models.TextChoices):
    OPERATOR = "operator", _("柜员操作账户")
    TERMINAL = "terminal", _("终端账户")
    INTERFACE = "interface", _("接口账户")
