"""Vacancies (岗位) in the console: a paged, filtered list in scope, create and edit forms, archive.

The rules are the REST API's (``VacancyUpdate`` with its GB/T 6565 check, ``save_vacancy`` with the
salary order and the still-open window; ``EmployerCreate`` for a new employer's name); this module
reads the form, says their problems in the page's language and resolves the employer: one of that
name is reused, otherwise it is created with the vacancy. Every change is audited and reaches screens
through the outbox. Both salaries empty means 面议.
"""

from __future__ import annotations

from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager

from content.accounts import audit
from content.accounts.access import Permission
from content.errors import ValidationError
from content.library.items import Education, Employer, ItemStatus, Vacancy
from content.org.tree import OrgUnit
from kiosk_server.api.employers import EmployerCreate
from kiosk_server.api.vacancies import VacancyUpdate, save_vacancy
from kiosk_server.console import library
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session

KIND: Final = "vacancy"
FIELDS: Final = (
    "title",
    "occupation_code",
    "headcount",
    "salary_min",
    "salary_max",
    "education",
    "district",
    "requirements",
    "contact",
    "external_ref",
)
AUDITED: Final = (*FIELDS[1:], "employer_id")
EMPLOYER_CHOICES: Final = 1000


@bp.get("/vacancies")
@console_page(Permission.VIEW_CONTENT)
def vacancies() -> Any:
    db = request_session()
    text, shown = request.args.get("q", "").strip(), request.args.get("status", "")
    query = (
        select(Vacancy)
        .join(OrgUnit, OrgUnit.id == Vacancy.org_unit_id)
        .where(library.visible(g.scope))
        .options(contains_eager(Vacancy.org_unit))
        .order_by(Vacancy.id.desc())
    )
    clause = library.status_clause(Vacancy, shown)
    if clause is not None:
        query = query.where(clause)
    if text:
        query = query.where(
            or_(
                Vacancy.title.contains(text, autoescape=True),
                Vacancy.occupation_code.startswith(text, autoescape=True),
                Vacancy.employer.has(Employer.name.contains(text, autoescape=True)),
            )
        )
    importer = "console.import_vacancies_page"  # the bulk import's page, when that part of the console is there
    return render_template(
        "console/vacancies.html",
        q=text,
        status=shown,
        may_edit=library.may_edit,
        import_url=url_for(importer) if importer in current_app.view_functions else None,
        **library.listing(db, query),
    )


def _employers(db: Session) -> list[str]:
    """Names to pick from: the employers of the vacancies this account sees."""
    seen = select(Vacancy.employer_id).join(OrgUnit, OrgUnit.id == Vacancy.org_unit_id).where(library.visible(g.scope))
    return list(
        db.scalars(
            select(Employer.name)
            .where(Employer.id.in_(seen))
            .distinct()
            .order_by(Employer.name)
            .limit(EMPLOYER_CHOICES)
        )
    )


def _or_none(name: str) -> str | None:
    return request.form.get(name, "").strip() or None


def _read(db: Session) -> tuple[dict[str, Any], str, dict[str, str]]:
    errors: dict[str, str] = {}
    data: dict[str, Any] = {name: request.form.get(name, "") for name in FIELDS}
    data |= {
        "org_unit_id": library.read_owner(db, errors),
        "headcount": _or_none("headcount"),
        "salary_min": _or_none("salary_min"),
        "salary_max": _or_none("salary_max"),
        "external_ref": _or_none("external_ref"),  # optional: empty means none
        "valid_from": library.read_moment("valid_from", errors),
        "valid_until": library.read_moment("valid_until", errors),
    }
    values = library.check(VacancyUpdate, data, errors, {"occupation_code": "media.vacancy.occupation_code.invalid"})
    employer_errors: dict[str, str] = {}
    employer = library.check(EmployerCreate, {"name": request.form.get("employer", "")}, employer_errors)
    if "name" in employer_errors:
        errors["employer"] = employer_errors["name"]
    return values, employer.get("name", ""), errors


def _employer(db: Session, name: str, vacancy: Vacancy | None) -> tuple[Employer, bool]:
    """The employer of this name (the vacancy's own first), or a new one; True if it is new."""
    if vacancy is not None and vacancy.employer.name == name:
        return vacancy.employer, False
    found = db.scalar(select(Employer).where(Employer.name == name).order_by(Employer.id).limit(1))
    if found is not None:
        return found, False
    employer = Employer(name=name)
    db.add(employer)
    db.flush()
    return employer, True


def _domain_errors(err: ValidationError, values: dict[str, Any], creating: bool) -> dict[str, str]:
    """``save_vacancy``'s refusal (salary order, window order, a new vacancy already closed) in the page's language."""
    found: dict[str, str] = {}
    for field in err.errors:
        if field in ("salary_min", "salary_max"):
            found[field] = say(g.lang, "media.vacancy.salary.order")
        elif (
            creating
            and field == "valid_until"
            and values.get("valid_until") is not None
            and not (values.get("valid_from") and values["valid_until"] <= values["valid_from"])
        ):
            found[field] = say(g.lang, "media.vacancy.past")
        else:
            found |= library.window_errors(ValidationError.single(field, ""))
    return found


def _form(vacancy: Vacancy | None, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    db = request_session()
    return render_template(
        "console/vacancy_form.html",
        item=vacancy,
        values=values,
        errors=errors,
        units=library.owners(db),
        employers=_employers(db),
        educations=list(Education),
    ), status


def _snapshot(vacancy: Vacancy) -> dict[str, Any]:
    return library.snapshot(vacancy, AUDITED)


def _save(db: Session, vacancy: Vacancy | None) -> Any:
    """Check the form and save it (create when ``vacancy`` is None): redirect, or the form again with its problems."""
    before = _snapshot(vacancy) if vacancy is not None else None
    values, employer_name, errors = _read(db)
    saved, new_employer = None, None
    try:  # even with problems: the domain's own checks are reported with them (then all is rolled back)
        if not errors:
            employer, created = _employer(db, employer_name, vacancy)
            new_employer = employer if created else None
            values["employer_id"] = employer.id
        with db.no_autoflush:
            saved = save_vacancy(db, vacancy, values)
    except ValidationError as err:
        library.merge(errors, _domain_errors(err, values, vacancy is None))
    if errors or saved is None:
        db.rollback()
        return _form(vacancy, dict(request.form), errors, 400)
    db.flush()
    if new_employer is not None:  # employers belong to no node: logged where the vacancy that brought it lives
        owner = db.get(OrgUnit, saved.org_unit_id)
        audit.record(
            db,
            actor=g.console_actor,
            action="created",
            obj_kind="employer",
            obj_id=new_employer.id,
            summary={"after": {"name": new_employer.name}},
            org_path=owner.path if owner else None,
        )
    library.record(db, saved, KIND, "created" if vacancy is None else "updated", before, _snapshot(saved))
    db.commit()
    flash(say(g.lang, "media.vacancy.saved", title=saved.title))
    return redirect(url_for("console.vacancies"))


def _values(vacancy: Vacancy | None) -> dict[str, Any]:
    values = library.form_values(vacancy, FIELDS)
    if vacancy is None:
        values |= {"headcount": 1, "education": Education.NONE.value}
    else:
        values["employer"] = vacancy.employer.name
    return {k: "" if v is None else v for k, v in values.items()}


@bp.route("/vacancies/new", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def new_vacancy() -> Any:
    if request.method == "GET":
        return _form(None, _values(None), {})
    return _save(request_session(), None)


@bp.route("/vacancies/<int:vacancy_id>", methods=["GET", "POST"])
@console_page(Permission.EDIT_CONTENT)
def edit_vacancy(vacancy_id: int) -> Any:
    db = request_session()
    vacancy = library.editable_or_404(db, Vacancy, vacancy_id)
    if request.method == "GET":
        return _form(vacancy, _values(vacancy), {})
    return _save(db, vacancy)


@bp.post("/vacancies/<int:vacancy_id>/archive")
@console_page(Permission.EDIT_CONTENT)
def archive_vacancy(vacancy_id: int) -> Any:
    db = request_session()
    vacancy = library.editable_or_404(db, Vacancy, vacancy_id)
    restore = request.form.get("restore") == "1"
    if library.set_status(db, vacancy, KIND, ItemStatus.PUBLISHED if restore else ItemStatus.ARCHIVED):
        db.commit()
        flash(say(g.lang, "media.done.restored" if restore else "media.done.archived"))
    return redirect(url_for("console.vacancies"))
