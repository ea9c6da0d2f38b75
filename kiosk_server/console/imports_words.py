"""The vacancy import page's words."""

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "import.title": ("批量导入岗位", "Import vacancies"),
    "import.hint": (
        "支持 Excel（.xlsx）和 CSV（UTF-8 或 GBK）。第一行为表头；整个文件全部正确才会导入，有任何一行出错则一条也不导入。",
        "Excel (.xlsx) or CSV (UTF-8 or GBK), headers in the first row. The whole file is imported "
        "only if every row is good; one bad row and nothing is imported.",
    ),
    "import.file": ("文件", "File"),
    "import.org": ("发布机构（岗位显示在该机构及下级的屏幕上）", "Owner (its screens and those below show them)"),
    "import.submit": ("检查并导入", "Check and import"),
    "import.again": ("按此对应关系重新检查并导入", "Check and import again with this mapping"),
    "import.org.required": ("请选择您管辖范围内的机构", "Choose an org node in your scope"),
    "import.file.required": ("请选择要导入的文件", "Choose a file to import"),
    "import.file.too_big": ("文件不能超过 {mb} MB", "The file may not exceed {mb} MB"),
    "import.done": (
        "已导入 {count} 个岗位（新建用人单位 {created} 家），发布机构：{name}",
        "Imported {count} vacancies ({created} new employers) for {name}",
    ),
    "import.updated": ("更新了 {count} 个已有岗位", "Updated {count} existing vacancies"),
    "import.converted": (
        "{count} 个岗位的薪资按年薪、日薪或时薪填写，已折算为月薪（每月 21.75 个计薪日、174 个计薪小时）",
        "{count} salaries were given per year, day or hour and were converted to monthly "
        "(21.75 paid days, 174 paid hours a month)",
    ),
    "import.duplicates": (
        "与已有岗位重复的行（同一发布机构和用人单位，岗位编号相同；没有岗位编号时岗位名称相同）",
        "Rows that match an existing vacancy (same owner and employer, and the same reference; "
        "without one, the same title)",
    ),
    "import.duplicates.report": ("列出重复的行，不导入任何岗位", "List them and import nothing"),
    "import.duplicates.update": ("用文件中的内容更新已有岗位", "Update the existing vacancies from the file"),
    "import.refused": ("无法读取此文件", "This file cannot be read"),
    "import.rejected": ("文件中有错误，未导入任何岗位", "The file has errors; nothing was imported"),
    "import.row": ("行", "Row"),
    "import.column": ("列", "Column"),
    "import.problem": ("问题", "Problem"),
    "import.more": ("另有 {count} 处问题未列出", "{count} more problems not listed"),
    "import.mapping": ("表头对应关系", "Header mapping"),
    "import.mapping.hint": (
        "自动识别的对应关系如下；如有误可以修改后重新检查（无需重新上传）。",
        "The columns were matched as below; correct them and check again (no new upload needed).",
    ),
    "import.ignore": ("（不导入）", "(ignore)"),
    "import.required": ("必填", "required"),
    "import.missing": ("缺少必填列：{fields}", "Required columns missing: {fields}"),
    "import.rows": ("共 {count} 行数据，编码 {encoding}", "{count} data rows, encoding {encoding}"),
}
