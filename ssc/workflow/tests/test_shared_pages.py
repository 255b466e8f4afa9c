"""The parts every workflow's pages share (``ssc.workflow.views`` and the ``workflow/_*.html`` includes): the
filter bar's scope fields and valid params, the sort order, the audited export, and a case page's documents,
deadlines and read marks."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from django import forms
from django.http import HttpRequest
from django.template import Context, Template
from django.test import RequestFactory

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.notifications.models import Notification
from ssc.rectification import services
from ssc.rectification.models import Rectification
from ssc.rectification.tests.conftest import issue, pdf
from ssc.workflow.views import (
    CaseFilterForm,
    case_deadlines,
    case_documents,
    export_response,
    list_ordering,
    mark_case_read,
)

pytestmark = pytest.mark.django_db
R = Role


class _Filters(CaseFilterForm):
    q = forms.CharField(required=False, max_length=5)
    district = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    bank = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)


def test_filter_form_offers_districts_and_banks_to_citywide_users(world):
    form = _Filters(user=world.users[R.CENTER_OFFICER])
    districts = dict(form.fields["district"].choices)
    assert districts[""] == "全部" and districts[world.districts["B"].pk] == world.districts["B"].name
    assert world.banks["A"].pk in dict(form.fields["bank"].choices)


def test_filter_form_leaves_out_the_one_district_or_bank_a_user_sees(world):
    assert "district" not in _Filters(user=world.users[R.DISTRICT_OFFICER]).fields
    assert "bank" in _Filters(user=world.users[R.DISTRICT_OFFICER]).fields
    assert "bank" not in _Filters(user=world.users[R.BANK_APPLICANT]).fields
    assert "district" in _Filters(user=world.users[R.BANK_APPLICANT]).fields


def test_filter_params_keep_valid_values_only(world):
    data = {"q": "toolong", "district": str(world.districts["A"].pk), "bank": ""}
    form = _Filters(data, user=world.users[R.CENTER_OFFICER])
    assert form.params() == {"district": world.districts["A"].pk}
    assert "q" in form.errors  # reported beside its field, otherwise ignored


def test_list_ordering():
    sorts = {"due": ("due_on",), "outlet": ("outlet__name_pinyin", "outlet__code")}
    sort, order = list_ordering("-outlet", sorts, "due")
    assert sort == "-outlet"
    assert [str(o) for o in order[:2]] == [
        "OrderBy(F(outlet__name_pinyin), descending=True)",
        "OrderBy(F(outlet__code), descending=True)",
    ]
    assert order[2] == "-pk"
    sort, order = list_ordering("nonsense", sorts, "-due")
    assert sort == "-due" and order[-1] == "-pk"
    sort, order = list_ordering(None, sorts, "due")
    assert sort == "due" and order[-1] == "pk"


def _request(user, **get: str) -> HttpRequest:
    request = RequestFactory().get("/export/", get)
    request.user = user
    return request


def test_export_response_is_audited_with_its_filters(world):
    issue(world)
    columns = [("编号", lambda r: r.pk), ("网点", lambda r: r.outlet.name)]
    user = world.users[R.CENTER_OFFICER]
    response = export_response(
        _request(user, format="csv"),
        Rectification.objects.order_by("pk"),
        columns,
        params={"district": 7},
        action="rectification.export",
        object_type="rectification.rectification",
        object_repr="整改清单",
        filename="整改_20260701",
        sheet_title="整改",
        article="8",
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["编号", "网点"] and rows[1][1] == world.outlets["A"].name
    event = AuditEvent.objects.filter(action="rectification.export").latest("pk")
    assert event.after == {"filters": {"district": "7"}, "format": "csv"}
    assert event.article == "8"


def test_case_documents_deadlines_and_read_marks(world):
    officer = world.users[R.DISTRICT_OFFICER]
    case = issue(world)  # with its 3-month deadline
    services.perform(
        case.pk,
        "submit_report",
        actor=world.users[R.OUTLET_STAFF],
        data={"report": "已整改"},
        files={"evidence": [pdf("证明.pdf")]},
    )
    docs = case_documents(officer, "rectification", case.pk)
    assert [v.original_name for d in docs for v in d.versions.all()] == ["证明.pdf"]
    assert case_documents(world.other[R.DISTRICT_OFFICER], "rectification", case.pk) == []  # outside the scope
    deadlines = case_deadlines("rectification", case.pk)
    assert [x["d"].due_on.isoformat() for x in deadlines] == ["2026-09-30"]
    assert deadlines[0]["info"].due_on == deadlines[0]["d"].due_on
    Notification.objects.create(user=officer, kind="t", title="t", case_type="rectification", case_id=case.pk)
    mark_case_read(officer, "rectification", case.pk)
    assert not Notification.objects.filter(user=officer, read_at__isnull=True, case_id=case.pk).exists()


def _render(source: str, **context) -> str:
    return Template("{% load i18n %}" + source).render(Context(context))


def _doc(title: str, kind: str, *numbers: int) -> SimpleNamespace:
    versions = [
        SimpleNamespace(number=n, original_name=f"v{n}.pdf", size=10, uploaded_at=None, uploaded_by="张三", sm3="ab")
        for n in numbers
    ]
    return SimpleNamespace(pk=5, title=title, get_kind_display=kind, versions=SimpleNamespace(all=lambda: versions))


def test_documents_include_options():
    docs = [_doc("整改通知书", "告知书", 1, 2)]
    html = _render('{% include "workflow/_documents.html" with show_kind=True %}', documents=docs)
    assert "第 1 版：v1.pdf" in html and "第 2 版：v2.pdf" in html and "告知书" in html and "SM3 ab" in html
    html = _render('{% include "workflow/_documents.html" with unnumbered=True %}', documents=docs)
    assert "第 1 版" not in html and "v1.pdf" in html and "告知书" not in html
    assert "暂无文件" in _render('{% include "workflow/_documents.html" %}', documents=[])
    assert "暂无附件" in _render('{% include "workflow/_documents.html" with empty="暂无附件" %}', documents=[])


def test_deadline_box_names_an_unlabelled_deadline():
    x = {
        "d": SimpleNamespace(label="", article="", due_on=None),
        "info": SimpleNamespace(css="deadline-overdue", kind="overdue", text="已超期 2 个工作日"),
    }
    html = _render('{% include "workflow/_deadline_box.html" with label="答复期限" %}', x=x)
    assert 'class="deadline-box deadline-overdue"' in html and "答复期限" in html and "已超期 2 个工作日" in html
