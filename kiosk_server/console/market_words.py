"""The console's words for the labour market at a glance (供求分析): the figures, their export and the tallies' import."""

from __future__ import annotations

from typing import Final

WORDS: Final = {
    "nav.market": ("供求分析", "Labour market"),
    "market.title": ("人力资源市场供求分析", "Labour market at a glance"),
    "market.hint": (
        "需求人数为该季度发布岗位的招聘人数之和；求职人数来自导入的求职登记人数；求人倍率＝需求人数÷求职人数"
        "（无求职人数时显示“—”）；月薪为岗位最低、最高月薪的中位数（面议不计）。导出文件含计算所用的全部岗位和求职人数。",
        "Demand is the headcount of the vacancies published in the quarter; seekers come from the imported "
        "registrations; the ratio is demand ÷ seekers (“—” without seekers); pay is the median of the vacancies' "
        "lowest and highest monthly pay (negotiable left out). The export holds every vacancy and tally used.",
    ),
    "market.area": ("地区", "Area"),
    "market.quarters": ("季度数", "Quarters"),
    "market.show": ("查看", "Show"),
    "market.csv": ("导出 CSV", "Export CSV"),
    "market.import": ("导入求职人数", "Import job seekers"),
    "market.recompute": ("重新计算", "Recompute"),
    "market.recomputed": ("已重新计算，共 {count} 条统计", "Recomputed: {count} figures"),
    "market.none": ("这些季度还没有统计数据。", "No figures for these quarters yet."),
    "market.no_area": ("您的管辖范围内没有地区。", "There is no org unit in your scope."),
    "market.col.section": ("类别", "Section"),
    "market.col.quarter": ("季度", "Quarter"),
    "market.col.group": ("职业大类", "Group"),
    "market.col.group_name": ("大类名称", "Group name"),
    "market.col.org_unit": ("地区", "Area"),
    "market.col.vacancy_id": ("岗位编号", "Vacancy id"),
    "market.col.vacancies": ("岗位数", "Vacancies"),
    "market.col.demand": ("需求人数", "Demand"),
    "market.col.seekers": ("求职人数", "Seekers"),
    "market.col.ratio": ("求人倍率", "Ratio"),
    "market.col.pay_min": ("最低月薪（元）", "Lowest pay (yuan)"),
    "market.col.pay_max": ("最高月薪（元）", "Highest pay (yuan)"),
    "market.col.pay": ("月薪中位数（元）", "Median pay (yuan)"),
    "market.section.figure": ("统计", "figure"),
    "market.section.vacancy": ("岗位", "vacancy"),
    "market.section.tally": ("求职人数", "tally"),
    "market.pay.none": ("—", "—"),
    "market.import.title": ("导入求职登记人数", "Import job-seeker counts"),
    "market.import.hint": (
        "上传 CSV 或 XLSX，列为：季度（如 2026Q3 或 2026年第3季度）、地区（名称或行政区划代码）、职业大类（1–8 或大类名称）、"
        "求职人数。有任何一格出错则整份不导入。同一地区、季度和大类的已有数字将被替换，统计随之重新计算。",
        "Upload a CSV or XLSX with the columns 季度 (quarter, e.g. 2026Q3), 地区 (area: name or division code), "
        "职业大类 (group: 1–8 or its name) and 求职人数 (seekers). One wrong cell and nothing is imported. Counts "
        "for the same area, quarter and group are replaced, and the figures recomputed.",
    ),
    "market.import.file": ("文件", "File"),
    "market.import.file.required": ("请选择要导入的文件", "Choose a file to import"),
    "market.import.submit": ("导入", "Import"),
    "market.import.back": ("返回", "Back"),
    "market.import.rejected": (
        "{rows} 行有问题（共 {count} 处），未导入任何数据：",
        "{rows} rows have problems ({count} in all); nothing was imported:",
    ),
    "market.import.col.row": ("行", "Row"),
    "market.import.col.column": ("列", "Column"),
    "market.import.col.problem": ("问题", "Problem"),
    "market.import.done": (
        "已导入 {count} 行求职人数，统计已重新计算",
        "Imported {count} rows of seekers; figures recomputed",
    ),
}
