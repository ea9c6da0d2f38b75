"""The console's words for job fairs (招聘会): list and form."""

from __future__ import annotations

from typing import Final

WORDS: Final = {
    "nav.fairs": ("招聘会", "Job fairs"),
    "fairs.title": ("招聘会", "Job fairs"),
    "fairs.new": ("新建招聘会", "New job fair"),
    "fairs.edit": ("编辑招聘会《{title}》", "Edit job fair “{title}”"),
    "fairs.none": ("还没有招聘会。", "No job fairs yet."),
    "fairs.saved": ("已保存招聘会《{title}》", "Saved job fair “{title}”"),
    "fairs.deleted": ("已删除招聘会《{title}》", "Deleted job fair “{title}”"),
    "fairs.delete": ("删除", "Delete"),
    "fairs.delete.confirm": ("删除这场招聘会？展位和岗位关联一并删除。", "Delete this fair with its booths?"),
    "fairs.col.when": ("举办时间", "When"),
    "fairs.col.venue": ("地点", "Venue"),
    "fairs.col.booths": ("参会单位", "Employers"),
    "fairs.field.title": ("招聘会名称", "Name"),
    "fairs.field.theme": ("专场类型", "Theme"),
    "fairs.field.starts_at": ("开始时间（北京时间）", "Starts (Beijing time)"),
    "fairs.field.ends_at": ("结束时间（可跨至次日）", "Ends (may be the next day)"),
    "fairs.field.hall_id": ("在本系统的服务大厅举办", "Held at one of our halls"),
    "fairs.field.hall.none": ("不在大厅，填写外部场地", "Not at a hall: an outside place"),
    "fairs.field.venue_name": ("外部场地名称", "Outside venue"),
    "fairs.field.venue_address": ("场地地址", "Venue address"),
    "fairs.field.organiser": ("主办单位", "Organiser"),
    "fairs.field.booth_map": ("展位图（PNG、JPEG、WebP 图片）", "Booth map (PNG, JPEG or WebP image)"),
    "fairs.field.remove_map": ("删除现有展位图", "Remove the booth map"),
    "fairs.map.current": ("现有展位图", "Current booth map"),
    "fairs.booths": ("参会单位与展位", "Employers and booths"),
    "fairs.booths.hint": (
        "每行一家单位：展位号在本场唯一；招聘岗位只能选该单位自己的岗位（按住 Ctrl 多选）。留空的行不保存。",
        "One employer per row: booth numbers are unique in the fair; positions must be that employer's own "
        "vacancies (hold Ctrl to pick several). Blank rows are not saved.",
    ),
    "fairs.booth.number": ("展位号", "Booth"),
    "fairs.booth.employer": ("参会单位", "Employer"),
    "fairs.booth.employer.none": ("请选择单位", "Choose an employer"),
    "fairs.booth.positions": ("招聘岗位", "Positions"),
    "fairs.booth.count": ("{count} 家单位", "{count} employers"),
    "fairs.online": ("线上", "Online"),
    "fairs.error.employer": ("请选择参会单位", "Choose the employer"),
    "fairs.error.duplicate": ("展位号与上面的行重复", "This booth number is already used above"),
    "fairs.error.foreign": ("只能选择该单位自己的岗位", "Pick only this employer's own vacancies"),
    "fairs.error.hours": (
        "结束时间须晚于开始时间，且一场招聘会最长两天（48 小时）",
        "The end must come after the start, at most two days (48 hours) later",
    ),
    "fairs.error.venue": ("请选择大厅或填写外部场地（线上招聘会除外）", "Choose a hall or name an outside venue"),
    "fairs.error.map": (
        "展位图须为 PNG、JPEG、GIF 或 WebP 图片",
        "The booth map must be a PNG, JPEG, GIF or WebP image",
    ),
}
