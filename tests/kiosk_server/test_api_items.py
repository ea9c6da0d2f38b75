"""Employers, vacancies, policy notices and tickers: the rules a person would trip over."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kiosk_server.api_factories import (
    Api,
    Factory,
    audit_rows,
    field_errors,
    future,
    last_outbox,
    past,
    row_counts,
)


def test_vacancy_shows_employer_and_salary_text(make: Factory) -> None:
    vacancy = make.vacancy()
    assert vacancy["kind"] == "vacancy" and vacancy["employer_name"] == "兰州某某物流有限公司"
    assert vacancy["salary_text"] == "4500-6000元"


def test_no_salary_at_all_means_negotiable(make: Factory) -> None:
    assert make.vacancy(salary_min=None, salary_max=None)["salary_text"] == "面议"


def test_salary_min_above_max_is_refused_with_both_numbers(api: Api, make: Factory, app: Any) -> None:
    body = make.vacancy_body(salary_min=8000, salary_max=5000)
    before = row_counts(app)
    errors = field_errors(api.post("vacancies", body, expect=422))
    assert errors == {"salary_min": "salary_min 8000 is above salary_max 5000"}
    assert row_counts(app) == before


def test_salary_rule_holds_against_the_stored_value_on_update(api: Api, make: Factory, app: Any) -> None:
    vacancy = make.vacancy(salary_min=4500, salary_max=6000)
    before = row_counts(app)
    errors = field_errors(api.patch(f"vacancies/{vacancy['id']}", {"salary_max": 3000}, expect=422))
    assert errors == {"salary_max": "salary_min 4500 is above salary_max 3000"}
    assert row_counts(app) == before
    assert api.get(f"vacancies/{vacancy['id']}")["salary_max"] == 6000


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"occupation_code": "4020603"}, "occupation_code"),
        ({"occupation_code": "4-2-6-3"}, "occupation_code"),
        ({"headcount": 0}, "headcount"),
        ({"valid_until": "2030-01-01T00:00:00"}, "valid_until"),
        ({"education": "博士后"}, "education"),
        ({"salary_min": -1}, "salary_min"),
        ({"title": ""}, "title"),
    ],
)
def test_invalid_vacancy_fields_are_named(
    api: Api, make: Factory, app: Any, override: dict[str, Any], field: str
) -> None:
    body = make.vacancy_body(**override)
    before = row_counts(app)
    assert field in field_errors(api.post("vacancies", body, expect=422))
    assert row_counts(app) == before


def test_a_new_vacancy_must_not_have_expired(api: Api, make: Factory) -> None:
    errors = field_errors(api.post("vacancies", make.vacancy_body(valid_until=past()), expect=422))
    assert "has already passed" in errors["valid_until"]


def test_validity_window_must_run_forwards(api: Api, make: Factory) -> None:
    body = make.vacancy_body(valid_from=future(10), valid_until=future(5))
    assert "is not after valid_from" in field_errors(api.post("vacancies", body, expect=422))["valid_until"]


def test_vacancy_of_unknown_employer_is_422(api: Api, make: Factory) -> None:
    errors = field_errors(api.post("vacancies", make.vacancy_body(employer_id=777), expect=422))
    assert errors == {"employer_id": "no employer with id 777"}


def test_vacancies_filter_by_occupation_and_employer(api: Api, make: Factory) -> None:
    other = make.employer(name="甘肃某某餐饮管理有限公司", credit_code=None)
    make.vacancy()
    cook = make.vacancy(title="中式烹调师", occupation_code="4-03-02-01", employer_id=other["id"])
    assert [v["id"] for v in api.get("vacancies?occupation_code=4-03-02-01")["items"]] == [cook["id"]]
    assert [v["id"] for v in api.get(f"vacancies?employer_id={other['id']}")["items"]] == [cook["id"]]


def test_vacancy_external_ref_round_trips_and_finds_the_vacancy(api: Api, make: Factory) -> None:
    assert make.vacancy()["external_ref"] is None
    made = make.vacancy(title="叉车司机", external_ref=" GW-2026-001 ")
    assert made["external_ref"] == "GW-2026-001"
    assert api.get(f"vacancies/{made['id']}")["external_ref"] == "GW-2026-001"
    assert [v["id"] for v in api.get("vacancies?external_ref=GW-2026-001")["items"]] == [made["id"]]
    assert api.patch(f"vacancies/{made['id']}", {"external_ref": "GW-2026-002"})["external_ref"] == "GW-2026-002"
    assert api.patch(f"vacancies/{made['id']}", {"title": "叉车工"})["external_ref"] == "GW-2026-002"
    assert api.patch(f"vacancies/{made['id']}", {"external_ref": ""})["external_ref"] is None
    assert api.patch(f"vacancies/{made['id']}", {"external_ref": "GW-3"})["external_ref"] == "GW-3"
    assert api.patch(f"vacancies/{made['id']}", {"external_ref": None})["external_ref"] is None


def test_vacancy_external_ref_is_at_most_64_characters(api: Api, make: Factory, app: Any, client: Any) -> None:
    assert make.vacancy(external_ref="G" * 64)["external_ref"] == "G" * 64
    before = row_counts(app)
    assert list(field_errors(api.post("vacancies", make.vacancy_body(external_ref="G" * 65), expect=422))) == [
        "external_ref"
    ]
    assert row_counts(app) == before
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("VacancyCreate", "VacancyUpdate"):
        assert {"type": "string", "maxLength": 64} in schemas[name]["properties"]["external_ref"]["anyOf"]
        assert {"type": "null"} in schemas[name]["properties"]["external_ref"]["anyOf"]
    assert {"type": "null"} in schemas["VacancyOut"]["properties"]["external_ref"]["anyOf"]


def test_employer_credit_code_is_checked(api: Api, make: Factory) -> None:
    errors = field_errors(api.post("employers", make.employer_body(credit_code="91620100MA7123456O"), expect=422))
    assert list(errors) == ["credit_code"]


def test_deleting_an_employer_with_vacancies_is_409(api: Api, make: Factory) -> None:
    vacancy = make.vacancy()
    assert api.delete(f"employers/{vacancy['employer_id']}", expect=409)["error"] == "conflict"


def test_notice_keeps_markdown_and_serves_sanitized_html(api: Api, make: Factory) -> None:
    markdown = (
        "## 申领条件\n\n| 年限 | 期限 |\n|---|---|\n| 1-5年 | 12个月 |\n\n"
        "<script>alert(1)</script>\n\n[点我](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    notice = make.policy_notice(body_markdown=markdown)
    assert notice["body_markdown"] == markdown
    html = notice["body_html"]
    assert "<h2>申领条件</h2>" in html and "<td>12个月</td>" in html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert api.get(f"policy-notices/{notice['id']}")["body_html"] == html


def test_notice_html_is_rendered_again_when_the_markdown_changes(api: Api, make: Factory) -> None:
    notice = make.policy_notice()
    changed = api.patch(f"policy-notices/{notice['id']}", {"body_markdown": "**新政策**"})
    assert changed["body_html"] == "<p><strong>新政策</strong></p>\n"


def test_html_cannot_be_sent_directly(api: Api, make: Factory) -> None:
    errors = field_errors(api.post("policy-notices", make.policy_notice_body(body_html="<b>x</b>"), expect=422))
    assert list(errors) == ["body_html"]


def test_ticker_round_trip_is_published_and_audited(api: Api, make: Factory, app: Any) -> None:
    ticker = make.ticker()
    assert last_outbox(app) == {"topic": "content", "kind": "ticker", "id": ticker["id"], "action": "created"}
    (entry,) = audit_rows(app, "ticker")
    assert entry.summary["after"]["title"] == "本周六上午举办专场招聘会"
    archived = api.patch(f"tickers/{ticker['id']}", {"status": "archived"})
    assert archived["status"] == "archived"
    assert [r["id"] for r in api.get("tickers?status=published")["items"]] == []


def test_null_is_refused_for_a_required_field_on_update(api: Api, make: Factory) -> None:
    ticker = make.ticker()
    assert list(field_errors(api.patch(f"tickers/{ticker['id']}", {"title": None}, expect=422))) == ["title"]
