"""Calendar API: arithmetic for any signed-in caller, problem+json for bad input (400) and missing years (422)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from ssc.accounts.choices import Role

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_authenticate(world.users[Role.OUTLET_STAFF])  # any role may compute
    return client


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_add_workdays(api):
    r = api.get("/api/v1/calendar/add_workdays/", {"start": "2026-02-13", "days": 5})
    assert r.status_code == 200
    assert r.json() == {"start": "2026-02-13", "days": 5, "due_on": "2026-02-27"}


def test_add_workdays_over_national_day(api):
    r = api.get("/api/v1/calendar/add_workdays/", {"start": "2025-09-26", "days": "5"})
    assert r.json()["due_on"] == "2025-10-10"


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"start": "2026-02-30", "days": 5}, {"start"}),
        ({"start": "13.02.2026", "days": 5}, {"start"}),
        ({"start": "2026-02-13", "days": 0}, {"days"}),
        ({"start": "2026-02-13", "days": "five"}, {"days"}),
        ({"start": "2026-02-13", "days": 100000}, {"days"}),
        ({"days": 5}, {"start"}),
        ({}, {"start", "days"}),
    ],
)
def test_add_workdays_bad_input_names_the_field(api, params, bad):
    body = problem(api.get("/api/v1/calendar/add_workdays/", params), 400)
    assert set(body["errors"]) == bad
    assert body["type"].endswith("/validation_failed")


def test_add_workdays_missing_year_is_422(api):
    body = problem(api.get("/api/v1/calendar/add_workdays/", {"start": "2026-12-25", "days": 5}), 422)
    assert body["type"].endswith("/calendar_missing")
    assert "2027" in body["detail"] and "尚未录入" in body["detail"]


@pytest.mark.parametrize(
    ("language", "fragment"), [("zh-hans", "请确保该值大于或者等于 1"), ("en", "greater than or equal to 1")]
)
def test_field_messages_follow_accept_language(api, language, fragment):
    url = "/api/v1/calendar/add_workdays/"
    body = problem(api.get(url, {"start": "2026-02-13", "days": 0}, HTTP_ACCEPT_LANGUAGE=language), 400)
    assert fragment in body["errors"]["days"][0]


def test_anonymous_is_refused():
    r = APIClient().get("/api/v1/calendar/add_workdays/", {"start": "2026-02-13", "days": 5})
    problem(r, 401)


def test_add_months(api):
    r = api.get("/api/v1/calendar/add_months/", {"start": "2026-04-05", "months": 3})
    assert r.json() == {"start": "2026-04-05", "months": 3, "nominal_end": "2026-07-05", "due_on": "2026-07-06"}
    r = api.get("/api/v1/calendar/add_months/", {"start": "2025-11-30", "months": 3})
    assert r.json()["due_on"] == "2026-02-28"
    problem(api.get("/api/v1/calendar/add_months/", {"start": "2026-10-31", "months": 3}), 422)
    body = problem(api.get("/api/v1/calendar/add_months/", {"start": "2026-10-31", "months": -1}), 400)
    assert set(body["errors"]) == {"months"}


def test_years(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        r = api.get("/api/v1/calendar/years/")
    body = r.json()
    assert body["count"] == 3
    by_year = {row["year"]: row for row in body["results"]}
    y2026 = by_year[2026]
    assert y2026["source"] == "chinesecalendar" and y2026["entered_by"] is None
    assert y2026["makeup_workday_count"] == 6  # 01-04, 02-14, 02-28, 05-09, 09-20, 10-10
    assert y2026["workday_count"] + y2026["rest_day_count"] == 365
    assert by_year[2025]["notice"] == "国办发明电〔2024〕12号"
    assert by_year[2025]["workday_count"] == 248


def test_days_of_a_month(api):
    r = api.get("/api/v1/calendar/days/", {"year": 2026, "month": 2})
    body = r.json()
    assert body["count"] == 28
    days = {row["date"]: row for row in body["results"]}
    assert days["2026-02-14"] == {
        "date": "2026-02-14",
        "weekday": 6,
        "kind": "makeup_workday",
        "is_workday": True,
        "is_holiday": False,
        "is_makeup_workday": True,
        "holiday_name": "春节",
    }
    assert days["2026-02-16"]["kind"] == "holiday" and days["2026-02-16"]["holiday_name"] == "春节"
    assert days["2026-02-13"]["kind"] == "workday"
    assert days["2026-02-07"]["kind"] == "rest"


def test_days_of_a_year_are_paginated(api):
    body = api.get("/api/v1/calendar/days/", {"year": 2024, "page_size": 200}).json()
    assert body["count"] == 366 and len(body["results"]) == 200 and body["next"]


def test_days_errors(api):
    body = problem(api.get("/api/v1/calendar/days/", {"year": 2027}), 422)
    assert "2027" in body["detail"]
    body = problem(api.get("/api/v1/calendar/days/", {"year": 2026, "month": 13}), 400)
    assert set(body["errors"]) == {"month"}
    body = problem(api.get("/api/v1/calendar/days/"), 400)
    assert set(body["errors"]) == {"year"}


def test_openapi_documents_the_calendar_endpoints():
    from ssc.workcalendar.api import urls

    schema = SchemaGenerator(patterns=urls.urlpatterns).get_schema(request=None, public=True)
    op = schema["paths"]["/calendar/add_workdays/"]["get"]
    assert op["operationId"] == "calendar_add_workdays"
    assert {p["name"] for p in op["parameters"]} == {"start", "days"}
    assert {"200", "400", "422"} <= set(op["responses"])
    assert "application/problem+json" in op["responses"]["422"]["content"]
    ok = schema["components"]["schemas"]["AddWorkdaysResult"]
    assert set(ok["properties"]) == {"start", "days", "due_on"}
    days = schema["paths"]["/calendar/days/"]["get"]
    assert {"year", "month", "page", "page_size"} <= {p["name"] for p in days["parameters"]}
    assert "PaginatedCalendarDayList" in str(days["responses"]["200"])
