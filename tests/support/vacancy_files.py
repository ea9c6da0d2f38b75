"""Vacancy import files built in memory: a valid row by header, as CSV (any encoding) or XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl

HEADER = (
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
)
CODE_A = "91620100MA74ABCD1A"


def job(**overrides: str) -> dict[str, str]:
    """One data row by header, valid unless overridden."""
    return {
        "岗位名称": "仓储物流专员",
        "用人单位": "兰州某某物流有限公司",
        "统一社会信用代码": CODE_A,
        "职业代码": "4-02-06-03",
        "招聘人数": "5",
        "最低月薪": "4500",
        "最高月薪": "6000",
        "学历要求": "高中",
        "工作地点": "城关区",
        "岗位要求": "能吃苦耐劳",
        "联系方式": "0931-1234567",
        "有效期至": "2026-12-31",
    } | overrides


def csv_bytes(
    rows: list[dict[str, str]], header: tuple[str, ...] = HEADER, encoding: str = "utf-8", delimiter: str = ","
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[r.get(h, "") for h in header] for r in rows])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], header: tuple[str, ...] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
