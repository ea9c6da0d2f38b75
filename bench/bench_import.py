"""Benchmark: importing 5,000 vacancies from an XLSX and from a GBK CSV into a fresh SQLite database.

Run from the repository root: ``.venv/bin/python bench/bench_import.py [--rows 5000] [--runs 5] [--profile]``.

Both files are built in memory with the same rows: 12 columns in Chinese, 600 employers (the first
200 already in the database, matched by credit code; the rest created by the import), salaries,
education, districts, requirements and an end date. Each run creates a new SQLite file (the
server's engine settings: WAL, foreign keys, synchronous=NORMAL), then times ``import_vacancies``
(read, map, check every row, look employers up, add and flush) plus the commit. The figure is the
median of ``--runs``. Target (issue): a 5,000-row import in ≤ 5 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from content import models  # noqa: E402
from content.library.items import Employer, Vacancy  # noqa: E402
from content.library.vacancy_import import import_vacancies, preview_import  # noqa: E402
from content.org.tree import add_org_unit  # noqa: E402
from kiosk_server.database import make_engine  # noqa: E402

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
TARGET_SECONDS = 5.0
EMPLOYERS = 600
EXISTING_EMPLOYERS = 200
HEADER = [
    "岗位名称",
    "用人单位",
    "统一社会信用代码",
    "职业代码",
    "招聘人数",
    "最低月薪",
    "最高月薪",
    "学历要求",
    "工作地点",
    "岗位要求",
    "联系方式",
    "有效期至",
]
TITLES = [
    ("仓储物流专员", "4-02-06-03"),
    ("收银员", "4-01-02-03"),
    ("保洁员", "4-07-05-01"),
    ("叉车司机", "6-30-05-02"),
    ("餐厅服务员", "4-03-02-05"),
    ("软件工程师", "2-02-10-03"),
    ("电工", "6-31-01-03"),
    ("会计", "2-06-03-00"),
]
EDUCATION = ["不限", "初中", "高中/中专", "大专", "本科"]
DISTRICTS = ["城关区", "七里河区", "安宁区", "西固区", "红古区", "兰州新区"]


def credit_code(n: int) -> str:
    return f"91620100{n:010d}"


def table(rows: int, rng: random.Random) -> list[list[object]]:
    out: list[list[object]] = []
    for n in range(rows):
        title, code = rng.choice(TITLES)
        employer = rng.randrange(EMPLOYERS)
        low = rng.randrange(2500, 9000, 100)
        out.append(
            [
                title,
                f"兰州市第{employer}号有限公司",
                credit_code(employer),
                code,
                rng.randint(1, 30),
                low,
                low + rng.randrange(0, 4000, 100),
                rng.choice(EDUCATION),
                rng.choice(DISTRICTS),
                f"身体健康，吃苦耐劳，有相关工作经验者优先（{n}）",
                f"0931-{rng.randrange(10**7):07d}",
                datetime(2027, rng.randint(1, 12), rng.randint(1, 28)),
            ]
        )
    return out


def xlsx_file(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("岗位")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def gbk_csv_file(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([v.date().isoformat() if isinstance(v, datetime) else v for v in row])
    return out.getvalue().encode("gbk")


def fresh_database(path: Path) -> tuple[Session, int]:
    """A new SQLite file with the schema of the models, a province and city, and the existing employers."""
    # The schema comes from the models (as in bench_resolver and the content tests), not Alembic, so the
    # bench measures the import even while a migration for a new column is still being written.
    engine = make_engine(f"sqlite:///{path}")
    models.Base.metadata.create_all(engine)
    session = Session(engine)
    province = add_org_unit(session, name="甘肃省", level="province", division_code="620000")
    city = add_org_unit(session, name="兰州市", level="city", parent=province)
    session.add_all(
        Employer(name=f"兰州市第{n}号有限公司", credit_code=credit_code(n)) for n in range(EXISTING_EMPLOYERS)
    )
    session.commit()
    return session, city.id


def timed_import(path: Path, data: bytes, filename: str, rows: int) -> float:
    session, city_id = fresh_database(path)
    try:
        start = time.perf_counter()
        result = import_vacancies(session, data, filename, org_unit_id=city_id, actor="bench", now=NOW)
        session.commit()
        elapsed = time.perf_counter() - start
        stored = session.scalar(select(func.count()).select_from(Vacancy))
        assert result.vacancies == rows == stored, (result.vacancies, rows, stored)
        assert result.employers_matched == EXISTING_EMPLOYERS, result
        assert result.employers_created == EMPLOYERS - EXISTING_EMPLOYERS, result
        return elapsed
    finally:
        engine = session.get_bind()
        session.close()
        engine.dispose()  # type: ignore[union-attr]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="data rows in each file")
    parser.add_argument("--runs", type=int, default=5, help="imports per file; the median is reported")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one XLSX import")
    args = parser.parse_args(argv)
    rows = table(args.rows, random.Random(20261122))
    start = time.perf_counter()
    files = {"XLSX": (xlsx_file(rows), "岗位.xlsx"), "GBK CSV": (gbk_csv_file(rows), "岗位.csv")}
    print(
        f"built {args.rows} rows as XLSX ({len(files['XLSX'][0]) / 1024:.0f} KiB) and GBK CSV "
        f"({len(files['GBK CSV'][0]) / 1024:.0f} KiB) in {time.perf_counter() - start:.2f} s"
    )
    slowest = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        directory = Path(tmp)
        for label, (data, filename) in files.items():
            start = time.perf_counter()
            preview = preview_import(data, filename)
            read_s = time.perf_counter() - start
            assert preview.row_count == args.rows and not preview.missing
            times = [
                timed_import(directory / f"{label.replace(' ', '-')}-{n}.sqlite3", data, filename, args.rows)
                for n in range(args.runs)
            ]
            median = statistics.median(times)
            slowest = max(slowest, median)
            print(
                f"{label:<8} read only {read_s:6.3f} s | import + commit: median {median:6.3f} s, "
                f"min {min(times):6.3f} s, max {max(times):6.3f} s over {len(times)} runs "
                f"({args.rows / median:,.0f} rows/s)"
            )
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(timed_import, directory / "profile.sqlite3", *files["XLSX"], args.rows)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    ok = slowest <= TARGET_SECONDS
    print(f"target ≤ {TARGET_SECONDS:.1f} s for {args.rows} rows -> {'OK' if ok else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
