"""The console's words for training courses (培训信息): list, form and import."""

from __future__ import annotations

from typing import Final

WORDS: Final = {
    "nav.training": ("培训信息", "Training"),
    "training.title": ("培训课程", "Training courses"),
    "training.new": ("新建培训课程", "New training course"),
    "training.edit": ("编辑培训课程《{title}》", "Edit training course “{title}”"),
    "training.import": ("导入培训课程", "Import courses"),
    "training.none": ("还没有培训课程。", "No training courses yet."),
    "training.saved": ("已保存培训课程《{title}》", "Saved training course “{title}”"),
    "training.col.dates": ("培训时间", "Dates"),
    "training.col.places": ("剩余/总名额", "Places left/total"),
    "training.col.fee": ("费用", "Fee"),
    "training.field.title": ("课程名称", "Course"),
    "training.field.provider": ("培训机构", "Provider"),
    "training.field.occupation_code": ("职业代码（GB/T 6565，可不填）", "Occupation code (GB/T 6565, optional)"),
    "training.field.subsidy_groups": ("补贴对象", "Subsidy for"),
    "training.field.subsidy_text": ("补贴标准", "Subsidy"),
    "training.field.starts_on": ("开班日期", "Starts on"),
    "training.field.ends_on": ("结业日期", "Ends on"),
    "training.field.class_times": ("上课时间", "Class times"),
    "training.field.places_total": ("招生人数", "Places"),
    "training.field.places_left": ("剩余名额", "Places left"),
    "training.field.fee_yuan": ("培训费用（元，0 为免费）", "Fee (yuan, 0 for free)"),
    "training.field.venue": ("培训地点", "Venue"),
    "training.field.district": ("区县", "District"),
    "training.field.enrol_phone": ("报名电话", "Enrolment phone"),
    "training.field.enrol_url": ("报名网址（在触摸屏上显示为二维码）", "Enrolment page (shown as a QR code on kiosks)"),
    "training.field.requirements": ("报名条件", "Requirements"),
    "training.free": ("免费", "Free"),
    "training.error.places": (
        "剩余名额不能为负数，也不能多于招生人数",
        "Places left cannot be negative or more than the places offered",
    ),
    "training.error.dates": ("结业日期不能早于开班日期", "The end date cannot be before the start date"),
    "training.error.occupation": ("应为 GB/T 6565 职业代码，如 4-10-01-05", "A GB/T 6565 code such as 4-10-01-05"),
    "training.error.url": ("报名网址应以 https:// 或 http:// 开头", "The enrolment page must start with https://"),
    "training.import.title": ("导入培训课程", "Import training courses"),
    "training.import.hint": (
        "上传 CSV 或 Excel（.xlsx）文件。必需的列：课程名称、培训机构、开班日期、结业日期、招生人数。"
        "任何一行有问题时不导入任何课程，并按行、列列出全部问题。",
        "Upload a CSV or Excel (.xlsx) file. Required columns: 课程名称, 培训机构, 开班日期, 结业日期, 招生人数. "
        "If any row has a problem nothing is imported, and every problem is listed by row and column.",
    ),
    "training.import.file": ("文件", "File"),
    "training.import.publish": ("导入后立即发布", "Publish at once"),
    "training.import.submit": ("导入", "Import"),
    "training.import.file.required": ("请选择要导入的文件", "Choose a file to import"),
    "training.import.done": ("已导入 {count} 个培训课程，发布单位：{name}", "Imported {count} courses for {name}"),
    "training.import.rejected": (
        "{rows} 行有问题（共 {count} 处），未导入任何课程：",
        "{rows} rows have problems ({count} in all); nothing was imported:",
    ),
    "training.import.col.row": ("行", "Row"),
    "training.import.col.column": ("列", "Column"),
    "training.import.col.problem": ("问题", "Problem"),
}
