"""Bulk import of vacancies from CSV and XLSX: encodings, header mapping, the row report, all or nothing."""

from __future__ import annotations

import io
import pyexpat
import tracemalloc
import zipfile
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest
from content_factories import Factory
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.errors import NotFound
from content.library import _import_table, vacancy_import
from content.library.items import ContentItem, Employer, Vacancy
from content.library.vacancy_import import (
    ImportRefused,
    ImportRejected,
    RowProblem,
    import_vacancies,
    preview_import,
)
from content.org.tree import OrgUnit
from content.outbox import OutboxEvent
from tests.support.vacancy_files import CODE_A, HEADER, csv_bytes, job, xlsx_bytes

DATABASES = ("sqlite", "postgres")
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00 in Lanzhou


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def run(session: Session, org: OrgUnit, data: bytes, filename: str = "岗位.csv", **kwargs: Any) -> Any:
    return import_vacancies(session, data, filename, org_unit_id=org.id, actor="admin", now=NOW, **kwargs)


def rejected(session: Session, org: OrgUnit, data: bytes, filename: str = "岗位.csv", **kwargs: Any) -> list[tuple]:
    with pytest.raises(ImportRejected) as caught:
        run(session, org, data, filename, **kwargs)
    return [(p.row, p.column) for p in caught.value.problems]


def refused(data: bytes, filename: str) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        preview_import(data, filename)
    assert caught.value.message_zh and caught.value.message_en
    return caught.value


@pytest.fixture
def org(make: Factory) -> OrgUnit:
    return make.org_tree().county


# Reading: encodings and formats


def test_utf8_csv_imports_every_row_with_its_values(session: Session, org: OrgUnit) -> None:
    data = csv_bytes([job(), job(岗位名称="叉车司机", 最低月薪="", 最高月薪="面议", 学历要求="", 招聘人数="")])
    result = run(session, org, data)
    session.commit()
    first, second = session.scalars(select(Vacancy).order_by(Vacancy.id)).all()
    assert result.vacancies == 2 and result.employers_created == 1 and result.vacancy_ids == (first.id, second.id)
    assert (first.title, first.employer.name, first.employer.credit_code, first.occupation_code) == (
        "仓储物流专员",
        "兰州某某物流有限公司",
        CODE_A,
        "4-02-06-03",
    )
    assert (first.headcount, first.salary_min, first.salary_max, first.education) == (5, 4500, 6000, "高中/中专")
    assert (first.district, first.requirements, first.contact) == ("城关区", "能吃苦耐劳", "0931-1234567")
    assert first.valid_until == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # the end of 31 December in Lanzhou
    assert (first.status, first.org_unit_id, first.created_at) == ("published", org.id, NOW)
    assert (second.salary_text, second.education, second.headcount) == ("面议", "不限", 1)
    assert second.employer_id == first.employer_id


def test_utf8_csv_with_bom_reads_the_first_header(session: Session, org: OrgUnit) -> None:
    data = csv_bytes([job()], encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    assert preview_import(data, "a.csv").mapping["岗位名称"] == "title"
    run(session, org, data)
    assert session.scalar(select(Vacancy.title)) == "仓储物流专员"


def test_gbk_csv_is_decoded_as_gb18030(session: Session, org: OrgUnit) -> None:
    data = csv_bytes([job(用人单位="兰州鑫犇物流有限公司")], encoding="gbk")
    assert preview_import(data, "a.csv").encoding == "gb18030"
    run(session, org, data)
    assert session.scalar(select(Employer.name)) == "兰州鑫犇物流有限公司"


@pytest.mark.parametrize(
    ("delimiter", "encoding", "suffix"),
    [
        ("\t", "utf-16", ".txt"),
        ("\t", "utf-8", ".tsv"),
        (";", "utf-8", ".csv"),
        ("\t", "utf-8", ".csv"),
    ],
)
def test_tab_and_semicolon_separated_text_is_read(delimiter: str, encoding: str, suffix: str) -> None:
    preview = preview_import(
        csv_bytes([job(岗位要求="能吃苦, 有驾照")], encoding=encoding, delimiter=delimiter), f"岗位{suffix}"
    )
    assert not preview.missing and preview.rows[0].values["requirements"] == "能吃苦, 有驾照"


def test_xlsx_numbers_and_dates_become_text_as_typed(session: Session, org: OrgUnit) -> None:
    row = [
        "保洁员",
        "兰州某某物业有限公司",
        None,
        "4-07-05-01",
        3,
        3200.0,
        4000,
        "初中",
        "七里河区",
        None,
        13912345678,
        datetime(2026, 12, 31),
    ]
    data = xlsx_bytes([row])
    assert preview_import(data, "a.xlsx").rows[0].values["salary_min"] == "3200"
    run(session, org, data, "岗位.xlsx")
    vacancy = session.scalars(select(Vacancy)).one()
    assert (vacancy.headcount, vacancy.salary_min, vacancy.salary_max) == (3, 3200, 4000)
    assert vacancy.contact == "13912345678"
    assert vacancy.valid_until == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert vacancy.employer.credit_code is None


def test_xlsx_problem_rows_are_numbered_as_the_sheet_shows_them(session: Session, org: OrgUnit) -> None:
    good = ["保洁员", "兰州某某物业有限公司", None, "4-07-05-01", 3, 3200, 4000]
    data = xlsx_bytes([good, [], [], good[:3] + ["4070501"] + good[4:]])  # two blank rows, then sheet row 5
    assert rejected(session, org, data, "岗位.xlsx") == [(5, "职业代码")]


# Header mapping


def test_headers_are_matched_ignoring_width_case_marks_and_units() -> None:
    header = ("*岗位名称", "单位名称", "职业编码", "Salary_Min", "最高月薪（元/月）", " HEADCOUNT ", "备注")
    preview = preview_import(csv_bytes([], header) + b"a,b,4-01-02-01,1,2,3,x\r\n", "a.csv")
    assert preview.mapping == {
        "*岗位名称": "title",
        "单位名称": "employer",
        "职业编码": "occupation_code",
        "Salary_Min": "salary_min",
        "最高月薪（元/月）": "salary_max",
        "HEADCOUNT": "headcount",
    }
    assert preview.unmapped == ("备注",) and preview.missing == ()


def test_explicit_mapping_overrides_and_drops_columns(session: Session, org: OrgUnit) -> None:
    header = ("名称", "公司", "工种", "岗位", "人数")
    data = csv_bytes(
        [{"名称": "收银员", "公司": "兰州某某超市", "工种": "4-01-02-03", "岗位": "不要这一列", "人数": "2"}], header
    )
    mapping = {"名称": "title", "公司": "用人单位", "工种": "occupation_code", "岗位": ""}
    preview = preview_import(data, "a.csv", mapping=mapping)
    assert preview.mapping == {"名称": "title", "公司": "employer", "工种": "occupation_code", "人数": "headcount"}
    run(session, org, data, mapping=mapping)
    assert session.execute(select(Vacancy.title, Vacancy.headcount)).one() == ("收银员", 2)


def test_mapping_to_an_unknown_field_or_column_is_refused() -> None:
    data = csv_bytes([job()])
    with pytest.raises(ImportRefused) as caught:
        preview_import(data, "a.csv", mapping={"岗位名称": "bonus"})
    assert caught.value.reason == "mapping" and caught.value.columns == ("岗位名称",)
    with pytest.raises(ImportRefused) as caught:
        preview_import(data, "a.csv", mapping={"职位": "title"})
    assert caught.value.reason == "mapping" and "职位" in caught.value.message_zh


def test_missing_required_column_is_refused_naming_it(session: Session, org: OrgUnit) -> None:
    header = tuple(h for h in HEADER if h != "职业代码")
    data = csv_bytes([job()], header)
    assert preview_import(data, "a.csv").missing == ("occupation_code",)
    with pytest.raises(ImportRefused) as caught:
        run(session, org, data)
    assert caught.value.reason == "missing_columns" and caught.value.columns == ("职业代码",)
    assert "职业代码" in caught.value.message_zh and "occupation_code" in caught.value.message_en
    assert not session.new


def test_two_columns_for_one_field_are_refused_unless_it_joins_them(session: Session, org: OrgUnit) -> None:
    with pytest.raises(ImportRefused) as caught:
        preview_import(csv_bytes([job()], (*HEADER, "职位")), "a.csv")
    assert caught.value.reason == "duplicate_columns" and caught.value.columns == ("岗位名称", "职位")
    header = (*HEADER[:-2], "联系人", "联系电话")
    run(session, org, csv_bytes([job(联系人="张女士", 联系电话="0931-7654321")], header))
    assert session.scalar(select(Vacancy.contact)) == "张女士 0931-7654321"


def test_preview_shows_the_first_rows_without_a_database() -> None:
    data = csv_bytes([job(岗位名称=f"岗位{n}") for n in range(30)])
    preview = preview_import(data, "a.csv", rows=3)
    assert [(r.row, r.values["title"]) for r in preview.rows] == [(2, "岗位0"), (3, "岗位1"), (4, "岗位2")]
    assert preview.row_count == 30 and preview.columns == HEADER


# The row report and all-or-nothing


def test_5000_rows_with_3_bad_rows_report_exactly_those_and_commit_nothing(session: Session, org: OrgUnit) -> None:
    rows = [
        job(岗位名称=f"岗位{n}", 用人单位=f"单位{n % 700}", 统一社会信用代码=f"91620100{n % 700:010d}")
        for n in range(5000)
    ]
    rows[15] = rows[15] | {"最低月薪": "8000", "最高月薪": "5000"}  # sheet row 17
    rows[2499] = rows[2499] | {"职业代码": "4020603"}  # sheet row 2501
    rows[4999] = rows[4999] | {"有效期至": "2026-11-01"}  # sheet row 5001
    with pytest.raises(ImportRejected) as caught:
        run(session, org, csv_bytes(rows))
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(17, "最低月薪"), (2501, "职业代码"), (5001, "有效期至")]
    assert problems[0] == RowProblem(
        17, "最低月薪", "最低月薪 8000 高于最高月薪 5000", "salary_min 8000 is above salary_max 5000"
    )
    assert "4-02-06-03" in problems[1].message_zh and "已经过去" in problems[2].message_zh
    assert caught.value.message_zh.startswith("3 行有问题")
    assert not session.new
    session.commit()
    assert [count(session, m) for m in (Vacancy, Employer, AuditEntry, OutboxEvent)] == [0, 0, 0, 0]


def test_clean_import_commits_all_rows_one_audit_row_and_one_outbox_row(session: Session, org: OrgUnit) -> None:
    rows = [job(岗位名称=f"岗位{n}", 统一社会信用代码="", 用人单位=f"单位{n % 7}") for n in range(200)]
    result = run(session, org, csv_bytes(rows), "2026年11月岗位.csv", publish=False)
    session.commit()
    assert (result.vacancies, result.employers_created, result.employers_matched) == (200, 7, 0)
    assert count(session, Vacancy) == 200 and count(session, Employer) == 7
    assert {tuple(r) for r in session.execute(select(ContentItem.kind, ContentItem.status))} == {("vacancy", "draft")}
    entry = session.scalars(select(AuditEntry)).one()
    assert (entry.actor, entry.action, entry.object_kind, entry.org_path) == ("admin", "import", "vacancy", org.path)
    assert entry.summary | {"first_id": 0, "last_id": 0} == {
        "filename": "2026年11月岗位.csv",
        "rows": 200,
        "updated": 0,
        "updated_ids": [],
        "salaries_converted": 0,
        "employers_created": 7,
        "employers_matched": 0,
        "blank_rows": 0,
        "status": "draft",
        "org_unit_id": org.id,
        "encoding": "utf-8",
        "first_id": 0,
        "last_id": 0,
    }
    event = session.scalars(select(OutboxEvent)).one()
    assert (event.topic, event.payload) == ("content", {"kind": "vacancy", "action": "import", "count": 200})


def test_blank_lines_are_skipped_and_later_rows_keep_their_numbers(session: Session, org: OrgUnit) -> None:
    lines = [",".join(HEADER), ",".join(job().values()), "", ",,,,", ",".join(job(招聘人数="x").values())]
    assert rejected(session, org, "\r\n".join(lines).encode()) == [(5, "招聘人数")]
    lines[4] = ",".join(job(招聘人数="2").values())
    result = run(session, org, "\r\n".join(lines).encode())
    assert (result.vacancies, result.blank_rows) == (2, 2)


def test_a_title_row_above_the_header_is_skipped(session: Session, org: OrgUnit) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["城关区2026年11月招聘岗位信息表"])
    sheet.merge_cells("A1:L1")
    sheet.append(["填报单位：城关区就业服务中心"])
    sheet.append(list(HEADER))
    sheet.append([job()[h] for h in HEADER])
    sheet.append([job(招聘人数="若干")[h] for h in HEADER])
    out = io.BytesIO()
    book.save(out)
    assert preview_import(out.getvalue(), "a.xlsx").columns == HEADER
    assert rejected(session, org, out.getvalue(), "a.xlsx") == [(5, "招聘人数")]


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [
        ("最低月薪", "8k", "不是整数金额"),
        ("最低月薪", "-500", "超出范围"),
        ("招聘人数", "若干", "请填写具体人数"),
        ("招聘人数", "0", "应在 1–100000 之间，而不是 0"),
        ("学历要求", "小学", "不限、初中、高中/中专、大专、本科、硕士及以上"),
        ("职业代码", "4-02-06", "GB/T 6565"),
        ("统一社会信用代码", "9.16201E+17", "被 Excel 当成了数字"),
        ("统一社会信用代码", "91620100MA74ABCD1", "18 位"),
        ("有效期至", "2026-13-01", "不是有效的日期"),
        ("岗位名称", "", "岗位名称不能为空"),
        ("岗位名称", "岗" * 201, "超过上限 200"),
        ("工作地点", "区" * 61, "超过上限 60"),
    ],
)
def test_each_bad_cell_gets_a_specific_message(
    session: Session, org: OrgUnit, cell: str, value: str, message: str
) -> None:
    with pytest.raises(ImportRejected) as caught:
        run(session, org, csv_bytes([job(), job(**{cell: value})]))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, cell)
    assert message in problem.message_zh and problem.message_en


def test_lenient_spellings_are_normalised(session: Session, org: OrgUnit) -> None:
    row = job(
        最低月薪="4,500元",
        最高月薪="6000.0",
        招聘人数="12人",
        学历要求="本科及以上",
        职业代码="４－０２－０６－０３",
        统一社会信用代码=CODE_A.lower(),
        有效期至="2026年12月31日",
    )
    run(session, org, csv_bytes([row]))
    vacancy = session.scalars(select(Vacancy)).one()
    assert (vacancy.salary_min, vacancy.salary_max, vacancy.headcount, vacancy.education) == (4500, 6000, 12, "本科")
    assert (vacancy.occupation_code, vacancy.employer.credit_code) == ("4-02-06-03", CODE_A)
    assert vacancy.valid_until == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def test_valid_until_must_come_after_valid_from(session: Session, org: OrgUnit) -> None:
    header = (*HEADER, "有效期起")
    problems = rejected(session, org, csv_bytes([job(有效期起="2027-01-10", 有效期至="2027-01-05")], header))
    assert problems == [(2, "有效期至")]


# Employers


def test_employers_match_by_credit_code_then_by_name_else_are_created(
    session: Session, org: OrgUnit, make: Factory
) -> None:
    by_code = make.employer(name="旧名称物流公司", credit_code=CODE_A)
    by_name = make.employer(name="兰州某某超市", credit_code=None)
    rows = [
        job(用人单位="兰州某某物流有限公司"),
        job(用人单位="兰州某某超市", 统一社会信用代码=""),
        job(用人单位="新单位", 统一社会信用代码=""),
        job(用人单位="新单位", 统一社会信用代码=""),
    ]
    result = run(session, org, csv_bytes(rows))
    employers = [v.employer for v in session.scalars(select(Vacancy).order_by(Vacancy.id))]
    assert employers[:2] == [by_code, by_name] and employers[2] is employers[3]
    assert employers[2].name == "新单位" and by_code.name == "旧名称物流公司"
    assert (result.employers_matched, result.employers_created) == (2, 1)


def test_a_name_only_row_joins_the_new_employer_another_row_gives_a_code(session: Session, org: OrgUnit) -> None:
    rows = [job(统一社会信用代码=""), job()]
    result = run(session, org, csv_bytes(rows))
    assert result.employers_created == 1
    assert session.scalars(select(Employer)).one().credit_code == CODE_A


def test_one_credit_code_with_two_names_is_a_problem(session: Session, org: OrgUnit) -> None:
    with pytest.raises(ImportRejected) as caught:
        run(session, org, csv_bytes([job(), job(用人单位="另一家公司")]))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "用人单位") and "第 2 行" in problem.message_zh


def test_a_name_shared_by_two_employers_needs_the_credit_code(session: Session, org: OrgUnit, make: Factory) -> None:
    make.employer(name="兰州某某超市", credit_code=None)
    make.employer(name="兰州某某超市", credit_code="91620100MA74ABCD2B")
    rows = [job(用人单位="兰州某某超市", 统一社会信用代码="")]
    assert rejected(session, org, csv_bytes(rows)) == [(2, "用人单位")]


def test_unknown_org_unit_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        import_vacancies(session, csv_bytes([job()]), "a.csv", org_unit_id=999_999, actor="admin", now=NOW)


# Files that cannot be read


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"", "a.csv", "empty"),
        (b"   \r\n", "a.csv", "empty"),
        (",".join(HEADER).encode(), "a.csv", "empty"),
        (b"%PDF-1.7", "a.pdf", "file_type"),
        (b"anything", "noextension", "file_type"),
        ("岗位名称,用人单位\n仓储,某公司\n".encode() + b"\xff\xfe\xff\x80\n", "a.csv", "encoding"),
        (b"\xef\xbb\xbf\xff\xff", "a.csv", "encoding"),
        (b"title\x00\x00,employer\n", "a.csv", "encoding"),
    ],
)
def test_unreadable_csv_is_refused(data: bytes, filename: str, reason: str) -> None:
    assert refused(data, filename).reason == reason


def test_bad_encoding_names_the_line() -> None:
    data = csv_bytes([job(), job()]) + "仓储,某公司".encode() + b"\x80\xff\n"
    error = refused(data, "a.csv")
    assert error.reason == "encoding" and "第 4 行" in error.message_zh and "GBK" in error.message_zh


def _zip(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        ",".join(HEADER).encode(),  # a CSV renamed .xlsx
        _zip(**{"readme.txt": b"not a workbook"}),  # a zip that is no workbook
        xlsx_bytes([["a"]])[:500],  # a truncated workbook
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # an old .xls or an encrypted workbook
    ],
)
def test_a_file_that_is_not_really_xlsx_is_refused(data: bytes) -> None:
    assert refused(data, "岗位.xlsx").reason == "not_xlsx"


def test_a_workbook_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_import_table, "MAX_UNPACKED_BYTES", 1024 * 1024)
    data = _zip(**{"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b" " * (2 * 1024 * 1024)})
    assert len(data) < 10_000
    error = refused(data, "岗位.xlsx")
    assert error.reason == "too_large" and "解压后" in error.message_zh


@pytest.mark.skipif(
    pyexpat.version_info < (2, 4, 0),
    reason="expat before 2.4 has no limit on entity "
    "amplification: this would expand gigabytes (openpyxl uses defusedxml only when installed)",
)
def test_an_entity_expansion_bomb_in_a_workbook_is_refused() -> None:
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE d [{entities}]><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e9;</t></is></c>'
        "</row></sheetData></worksheet>"
    ).encode()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes([["a"]]))) as valid:
        parts = {name: valid.read(name) for name in valid.namelist()}
    data = _zip(**(parts | {"xl/worksheets/sheet1.xml": sheet}))
    assert refused(data, "岗位.xlsx").reason == "not_xlsx"


def test_an_xlsx_named_csv_is_refused_with_the_right_advice() -> None:
    error = refused(xlsx_bytes([["保洁员"]]), "岗位.csv")
    assert error.reason == "file_type" and ".xlsx" in error.message_zh


def test_too_many_rows_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vacancy_import, "MAX_ROWS", 10)
    error = refused(csv_bytes([job()] * 11), "a.csv")
    assert error.reason == "too_many_rows" and "第 12 行" in error.message_zh
    assert preview_import(csv_bytes([job()] * 10), "a.csv").row_count == 10


# Formula-looking text


@pytest.mark.parametrize("filename", ["a.csv", "a.xlsx"])
def test_formula_looking_cells_are_stored_as_text(session: Session, org: OrgUnit, filename: str) -> None:
    texts = {
        "岗位名称": '=HYPERLINK("http://x","点我")',
        "岗位要求": "-2+3",
        "联系方式": "+86 931 1234567",
        "工作地点": "@SUM(A1)",
    }
    if filename.endswith(".csv"):
        data = csv_bytes([job(**texts)])
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(list(HEADER))
        sheet.append([job(**texts)[h] for h in HEADER])
        for cell in sheet[2]:
            cell.data_type = "s"  # typed as text, as Excel stores a cell entered with a leading apostrophe
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    run(session, org, data, filename)
    vacancy = session.scalars(select(Vacancy)).one()
    assert (vacancy.title, vacancy.requirements, vacancy.contact, vacancy.district) == tuple(texts.values())


# Salary text (薪资待遇)

SALARY_HEADER = tuple("薪资待遇" if h == "最低月薪" else h for h in HEADER if h != "最高月薪")


def salary_rows(*texts: str) -> bytes:
    return csv_bytes([job(岗位名称=f"岗位{n}", 薪资待遇=text) for n, text in enumerate(texts)], header=SALARY_HEADER)


def test_a_salary_text_column_is_read_into_the_monthly_range(session: Session, org: OrgUnit) -> None:
    texts = (
        "3000-4500元/月",
        "４５００－６０００元",
        "4K～6K",
        "月薪5000元以上",
        "2000元以下",
        "面议",
        "8-10万/年",
        "150元/天",
    )
    result = run(session, org, salary_rows(*texts))
    stored = [(v.salary_min, v.salary_max) for v in session.scalars(select(Vacancy).order_by(Vacancy.id))]
    assert stored == [
        (3000, 4500),
        (4500, 6000),
        (4000, 6000),
        (5000, None),
        (None, 2000),
        (None, None),
        (6667, 8333),
        (3263, 3263),
    ]
    assert result.salaries_converted == 2  # per year and per day, said so to the manager


@pytest.mark.parametrize("header", ["薪资待遇", "薪资", "月薪", "工资", "薪资待遇（元/月）", "Salary", "待遇"])
def test_salary_headers_map_to_the_salary_text(header: str) -> None:
    head = tuple(header if h == "薪资待遇" else h for h in SALARY_HEADER)
    preview = preview_import(csv_bytes([job(**{header: "4k-6k"})], header=head), "a.csv")
    assert preview.mapping[header] == "salary" and header not in preview.unmapped


@pytest.mark.parametrize(
    ("text", "message"),
    [("若干", "不是可识别的薪资"), ("6000-4500元/月", "最低 6000 高于最高 4500"), ("8k-5k", "最低 8000 高于最高 5000")],
)
def test_an_unreadable_or_reversed_salary_is_a_problem_in_its_row_and_column(
    session: Session, org: OrgUnit, text: str, message: str
) -> None:
    with pytest.raises(ImportRejected) as caught:
        run(session, org, salary_rows("3000-4500元", text))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "薪资待遇") and message in problem.message_zh
    assert count(session, Vacancy) == 0


def test_a_salary_text_that_disagrees_with_the_min_and_max_columns_is_a_problem(session: Session, org: OrgUnit) -> None:
    header = (*HEADER, "薪资待遇")
    data = csv_bytes([job(薪资待遇="4500-6000元"), job(薪资待遇="3000-4000元")], header=header)
    assert rejected(session, org, data) == [(3, "薪资待遇")]


# Formula cells


def test_a_formula_cell_is_reported_as_a_formula_not_as_empty(session: Session, org: OrgUnit) -> None:
    values = [job()[h] for h in HEADER]
    values[HEADER.index("用人单位")] = '=HYPERLINK("http://example.cn","兰州某某物流有限公司")'
    with pytest.raises(ImportRejected) as caught:
        run(session, org, xlsx_bytes([[job()[h] for h in HEADER], values]), "a.xlsx")
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "用人单位")
    assert problem.message_zh == "第 3 行 第 2 列：单元格是公式，请粘贴为数值"
    assert "formula" in problem.message_en


# Duplicates


def test_importing_the_same_file_twice_reports_every_duplicate_and_adds_nothing(session: Session, org: OrgUnit) -> None:
    data = csv_bytes([job(岗位名称="叉车司机"), job(岗位名称="收银员")])
    first = run(session, org, data)
    session.commit()
    with pytest.raises(ImportRejected) as caught:
        run(session, org, data)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "岗位名称"), (3, "岗位名称")]
    assert f"#{first.vacancy_ids[0]}" in caught.value.problems[0].message_zh
    assert "重复" in caught.value.problems[0].message_zh
    session.rollback()
    assert count(session, Vacancy) == 2


def test_duplicates_can_update_the_existing_vacancies_and_insert_the_rest(session: Session, org: OrgUnit) -> None:
    first = run(session, org, csv_bytes([job(岗位名称="叉车司机"), job(岗位名称="收银员")]))
    session.commit()
    again = csv_bytes([job(岗位名称="收银员", 招聘人数="9", 最低月薪="5000"), job(岗位名称="保洁员")])
    result = run(session, org, again, duplicates=vacancy_import.Duplicates.UPDATE)
    session.commit()
    assert (result.vacancies, result.vacancies_updated, result.updated_ids) == (1, 1, (first.vacancy_ids[1],))
    assert count(session, Vacancy) == 3
    updated = session.get(Vacancy, first.vacancy_ids[1])
    assert (updated.headcount, updated.salary_min, updated.created_at) == (9, 5000, NOW)
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.summary["updated"] == 1 and entry.summary["updated_ids"] == [first.vacancy_ids[1]]


def test_archived_vacancies_other_owners_and_other_employers_are_no_duplicates(
    session: Session, org: OrgUnit, make: Factory
) -> None:
    employer = make.employer(name="兰州某某物流有限公司", credit_code=CODE_A)
    make.vacancy(org, employer=employer, title="叉车司机", status="archived")
    make.vacancy(org.parent, employer=employer, title="收银员")
    make.vacancy(org, employer=make.employer(name="别的公司"), title="保洁员")
    session.commit()
    rows = [job(岗位名称="叉车司机"), job(岗位名称="收银员"), job(岗位名称="保洁员")]
    assert run(session, org, csv_bytes(rows)).vacancies == 3


def test_an_update_that_cannot_tell_which_vacancy_it_means_is_a_problem(
    session: Session, org: OrgUnit, make: Factory
) -> None:
    employer = make.employer(name="兰州某某物流有限公司", credit_code=CODE_A)
    make.vacancy(org, employer=employer, title="叉车司机")
    make.vacancy(org, employer=employer, title="叉车司机")
    make.vacancy(org, employer=employer, title="收银员")
    session.commit()
    rows = [job(岗位名称="叉车司机"), job(岗位名称="收银员"), job(岗位名称="收银员")]
    with pytest.raises(ImportRejected) as caught:
        run(session, org, csv_bytes(rows), duplicates=vacancy_import.Duplicates.UPDATE)
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(2, "岗位名称"), (4, "岗位名称")]
    assert "无法确定更新哪一个" in problems[0].message_zh and "第 3 行已经更新" in problems[1].message_zh


# References (岗位编号): which posting a row is

REF_HEADER = (*HEADER, "岗位编号")
UPDATE = vacancy_import.Duplicates.UPDATE


def with_refs(*rows: dict[str, str]) -> bytes:
    return csv_bytes(list(rows), header=REF_HEADER)


def stored(session: Session) -> list[tuple[str, str | None, int]]:
    session.expire_all()
    return [tuple(r) for r in session.execute(select(Vacancy.title, Vacancy.external_ref, Vacancy.headcount))]


@pytest.mark.parametrize(
    "header",
    ["岗位编号", "外部编号", "职位编号", "岗位代码", "招聘编号", "Reference", "Job ID", "external_ref", "岗位ID"],
)
def test_reference_headers_map_to_the_external_ref(header: str) -> None:
    preview = preview_import(csv_bytes([job(**{header: "GW-001"})], header=(*HEADER, header)), "a.csv")
    assert preview.mapping[header] == "external_ref" and preview.rows[0].values["external_ref"] == "GW-001"


def test_a_reference_is_stored_and_a_blank_cell_is_none(session: Session, org: OrgUnit) -> None:
    run(session, org, with_refs(job(岗位名称="叉车司机", 岗位编号=" GW-001 "), job(岗位名称="收银员", 岗位编号="")))
    assert sorted(stored(session)) == [("叉车司机", "GW-001", 5), ("收银员", None, 5)]


def test_reimport_by_reference_updates_the_vacancy_even_when_its_title_changed(session: Session, org: OrgUnit) -> None:
    first = run(
        session, org, with_refs(job(岗位名称="叉车司机", 岗位编号="GW-001"), job(岗位名称="收银员", 岗位编号="GW-002"))
    )
    session.commit()
    again = with_refs(job(岗位名称="叉车司机（夜班）", 岗位编号="GW-001", 招聘人数="9"))
    result = run(session, org, again, duplicates=UPDATE)
    session.commit()
    assert (result.vacancies, result.vacancies_updated, result.updated_ids) == (0, 1, (first.vacancy_ids[0],))
    assert sorted(stored(session)) == [("叉车司机（夜班）", "GW-001", 9), ("收银员", "GW-002", 5)]


def test_the_same_title_with_another_reference_is_another_posting(
    session: Session, org: OrgUnit, make: Factory
) -> None:
    employer = make.employer(name="兰州某某物流有限公司", credit_code=CODE_A)
    make.vacancy(org, employer=employer, title="叉车司机", external_ref="GW-001")
    make.vacancy(org, employer=employer, title="收银员", external_ref="GW-009", status="archived")
    session.commit()
    rows = [job(岗位名称="叉车司机", 岗位编号="GW-002"), job(岗位名称="叉车司机", 岗位编号="GW-003")]
    rows.append(job(岗位名称="收银员", 岗位编号="GW-009"))  # archived: no duplicate
    result = run(session, org, with_refs(*rows))  # the default reports duplicates: there are none
    assert (result.vacancies, result.vacancies_updated) == (3, 0)
    assert sorted(r[1] for r in stored(session) if r[0] == "叉车司机") == ["GW-001", "GW-002", "GW-003"]


def test_a_file_with_references_updates_what_a_file_without_them_imported(session: Session, org: OrgUnit) -> None:
    first = run(session, org, csv_bytes([job(岗位名称="叉车司机"), job(岗位名称="收银员")]))
    session.commit()
    rows = [job(岗位名称="叉车司机", 岗位编号="GW-001", 招聘人数="7"), job(岗位名称="保洁员", 岗位编号="GW-003")]
    result = run(session, org, with_refs(*rows), duplicates=UPDATE)
    session.commit()
    assert (result.vacancies, result.vacancies_updated, result.updated_ids) == (1, 1, (first.vacancy_ids[0],))
    assert sorted(stored(session)) == [("保洁员", "GW-003", 5), ("叉车司机", "GW-001", 7), ("收银员", None, 5)]
    # Now that it has a reference, a row with another reference and the same title is another posting.
    third = run(session, org, with_refs(job(岗位名称="叉车司机", 岗位编号="GW-004")), duplicates=UPDATE)
    assert (third.vacancies, third.vacancies_updated) == (1, 0)


def test_a_row_without_a_reference_matches_by_title_and_keeps_the_vacancys_reference(
    session: Session, org: OrgUnit
) -> None:
    run(session, org, with_refs(job(岗位名称="叉车司机", 岗位编号="GW-001")))
    session.commit()
    result = run(session, org, with_refs(job(岗位名称="叉车司机", 岗位编号="", 招聘人数="3")), duplicates=UPDATE)
    session.commit()
    assert result.vacancies_updated == 1 and stored(session) == [("叉车司机", "GW-001", 3)]


def test_two_rows_with_one_employer_and_reference_are_a_problem_on_the_second(session: Session, org: OrgUnit) -> None:
    rows = [
        job(岗位名称="叉车司机", 岗位编号="GW-001"),
        job(岗位名称="叉车司机", 岗位编号="GW-001", 用人单位="另一家公司", 统一社会信用代码=""),  # another employer
        job(岗位名称="收银员", 岗位编号="GW-001"),
    ]
    for mode in vacancy_import.Duplicates:
        with pytest.raises(ImportRejected) as caught:
            run(session, org, with_refs(*rows), duplicates=mode)
        (problem,) = caught.value.problems
        assert (problem.row, problem.column) == (4, "岗位编号")
        assert "第 2 行已有相同的岗位编号" in problem.message_zh and "row 2" in problem.message_en
    assert count(session, Vacancy) == 0


@pytest.mark.parametrize(
    ("value", "message_zh", "message_en"),
    [
        ("G" * 65, "有 65 个字，超过上限 64 个字", "above the limit of 64"),
        ("9.16201E+17", "被 Excel 当成了数字", "Excel"),
    ],
)
def test_a_bad_reference_is_a_problem_in_its_row_and_column(
    session: Session, org: OrgUnit, value: str, message_zh: str, message_en: str
) -> None:
    with pytest.raises(ImportRejected) as caught:
        run(session, org, with_refs(job(岗位编号="G" * 64), job(岗位名称="收银员", 岗位编号=value)))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "岗位编号")
    assert message_zh in problem.message_zh and message_en in problem.message_en


def test_reported_duplicates_say_whether_the_reference_or_the_title_matched(
    session: Session, org: OrgUnit, make: Factory
) -> None:
    employer = make.employer(name="兰州某某物流有限公司", credit_code=CODE_A)
    by_ref = make.vacancy(org, employer=employer, title="叉车司机", external_ref="GW-001")
    unreferenced = make.vacancy(org, employer=employer, title="收银员")
    referenced = make.vacancy(org, employer=employer, title="保洁员", external_ref="GW-003")
    session.commit()
    rows = [
        job(岗位名称="叉车司机（夜班）", 岗位编号="GW-001"),
        job(岗位名称="收银员", 岗位编号="GW-002"),
        job(岗位名称="保洁员", 岗位编号=""),
    ]
    with pytest.raises(ImportRejected) as caught:
        run(session, org, with_refs(*rows))
    ref, title_unreferenced, title = caught.value.problems
    assert (ref.row, ref.column) == (2, "岗位编号")
    assert ref.message_zh.startswith(f"与已有岗位 #{by_ref.id} 重复（同一发布机构、用人单位和岗位编号）")
    assert "same owner, employer and reference" in ref.message_en
    assert (title_unreferenced.row, title_unreferenced.column) == (3, "岗位名称")
    assert f"#{unreferenced.id}" in title_unreferenced.message_zh
    assert "岗位名称，且已有岗位还没有岗位编号" in title_unreferenced.message_zh
    assert "no reference yet" in title_unreferenced.message_en
    assert (title.row, title.column) == (4, "岗位名称")
    assert title.message_zh == (
        f"与已有岗位 #{referenced.id} 重复（同一发布机构、用人单位和岗位名称）；要用本行更新它，请选择“更新已有岗位”"
    )


def test_an_update_by_a_reference_two_vacancies_share_is_a_problem(
    session: Session, org: OrgUnit, make: Factory
) -> None:
    employer = make.employer(name="兰州某某物流有限公司", credit_code=CODE_A)
    make.vacancy(org, employer=employer, title="叉车司机", external_ref="GW-001")
    make.vacancy(org, employer=employer, title="叉车工", external_ref="GW-001")  # as the API allows
    session.commit()
    with pytest.raises(ImportRejected) as caught:
        run(session, org, with_refs(job(岗位名称="叉车司机", 岗位编号="GW-001")), duplicates=UPDATE)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "岗位编号") and "无法确定更新哪一个" in problem.message_zh


# Hostile workbooks: refused while streaming, before anything large is held


def _workbook_with(name: str, chunks: Any) -> bytes:
    """A valid workbook whose part ``name`` is replaced by the streamed ``chunks`` (never held whole)."""
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes([["a"]]))) as valid:
        parts = {n: valid.read(n) for n in valid.namelist() if n != name}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
        with archive.open(name, "w", force_zip64=True) as member:
            for chunk in chunks:
                member.write(chunk)
    return out.getvalue()


def _sheet_with_one_cell(megabytes: int) -> Any:
    yield (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
    )
    block = b"A" * (1024 * 1024)
    for _ in range(megabytes):
        yield block
    yield b"</t></is></c></row></sheetData></worksheet>"


@pytest.fixture(scope="module")
def huge_cell_workbook() -> bytes:
    return _workbook_with("xl/worksheets/sheet1.xml", _sheet_with_one_cell(240))


def _refused_within(data: bytes, megabytes: int) -> ImportRefused:
    """The refusal of ``data``, checking that reading it never held more than ``megabytes`` at once."""
    tracemalloc.start()
    try:
        with pytest.raises(ImportRefused) as caught:
            preview_import(data, "岗位.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < megabytes * 1024 * 1024, f"held {peak} bytes while refusing"
    return caught.value


def test_a_small_workbook_holding_a_240_mb_cell_is_refused_without_unpacking_it(huge_cell_workbook: bytes) -> None:
    assert len(huge_cell_workbook) < 2 * 1024 * 1024
    error = _refused_within(huge_cell_workbook, 8)
    assert error.reason == "too_large" and "240 MB" in error.message_zh


def test_a_cell_far_beyond_what_excel_holds_is_refused_while_streaming() -> None:
    data = _workbook_with("xl/worksheets/sheet1.xml", _sheet_with_one_cell(20))  # under the part limit
    error = _refused_within(data, 8)
    assert error.reason == "cell_too_large" and "32767" in error.message_zh and "sheet1.xml" in error.message_en


def test_a_zip_bomb_part_is_refused_from_the_zip_directory() -> None:
    zeros = b"\x00" * (1024 * 1024)
    data = _workbook_with("xl/media/image1.png", (zeros for _ in range(_import_table.MAX_PART_BYTES // len(zeros) + 1)))
    assert len(data) < 1024 * 1024
    error = _refused_within(data, 4)
    assert error.reason == "too_large" and "解压后" in error.message_zh


def test_content_beyond_the_last_column_allowed_is_refused() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(HEADER))
    sheet.append([job()[h] for h in HEADER])
    sheet.cell(row=2, column=_import_table.MAX_COLUMNS + 50, value="备注")
    out = io.BytesIO()
    book.save(out)
    error = refused(out.getvalue(), "岗位.xlsx")
    assert error.reason == "too_many_columns" and "第 2 行第 250 列" in error.message_zh


def test_a_row_far_below_the_data_is_refused_rather_than_walked_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_import_table, "MAX_BLANK_ROWS", 100)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(HEADER))
    sheet.append([job()[h] for h in HEADER])
    sheet.cell(row=1_000_000, column=1, value="岗位")
    out = io.BytesIO()
    book.save(out)
    error = refused(out.getvalue(), "岗位.xlsx")
    assert error.reason == "too_many_rows" and "空行" in error.message_zh


def test_a_control_character_in_a_cell_is_a_row_problem_and_nothing_is_stored(session: Session, org: OrgUnit) -> None:
    # (A NUL makes the whole file "not a text file", refused before any row.)
    rows = [job(), job(岗位名称="仓储\x1b专员"), job(岗位要求="能吃苦\x07耐劳"), job(岗位要求="第一行\n\t第二行")]
    with pytest.raises(ImportRejected) as caught:
        run(session, org, csv_bytes(rows))
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(3, "岗位名称"), (4, "岗位要求")], "TAB and LF are kept"
    assert problems[0].message_zh == "第 3 个字符是不可见的控制字符（U+001B），请删除"
    assert session.scalar(select(func.count()).select_from(Vacancy)) == 0
