"""The console's words for 求职意向: a hall's interests of the day and its job-matching statistics."""

from typing import Final

WORDS: Final[dict[str, tuple[str, str]]] = {
    "nav.interests": ("求职意向", "Job interests"),
    "int.title": ("求职意向登记", "Job interests"),
    "int.title.hall": ("{hall} · 求职意向", "{hall} · job interests"),
    "int.hint": (
        "群众在本大厅自助终端“岗位匹配”中标记“有意向”的岗位。终端请群众到就业服务窗口出示证件，"
        "就业指导员按脱敏的姓名和证件号码核对后推荐、联系用人单位；同一人同一天对同一岗位只记一次。",
        "Vacancies citizens marked as interesting in the kiosks' job matching at this hall. The kiosk asks "
        "them to show their ID at the employment counter, where counsellors check it against the masked "
        "name and ID number here and refer them to the employer; one person marking the same vacancy "
        "twice on one day counts once.",
    ),
    "int.hint.halls": (
        "群众在各大厅自助终端“岗位匹配”中标记“有意向”的岗位，按大厅查看。",
        "Vacancies citizens marked as interesting in the kiosks' job matching, by hall.",
    ),
    "int.choose_hall": ("请选择大厅", "Choose a hall"),
    "int.no_halls": ("您的管辖范围内没有大厅", "There is no hall in your part of the org tree"),
    "int.day": ("日期", "Day"),
    "int.show": ("查询", "Show"),
    "int.previous": ("前一天", "Previous day"),
    "int.next": ("后一天", "Next day"),
    "int.today": ("今天", "Today"),
    "int.csv": ("导出 CSV", "Export CSV"),
    "int.day.invalid": ("请填写有效日期（年-月-日）", "Enter a valid date (YYYY-MM-DD)"),
    "int.list": ("当天意向（{count}）", "Interests of the day ({count})"),
    "int.none": ("当天没有意向登记", "No interests on this day"),
    "int.col.time": ("时间", "Time"),
    "int.col.name": ("姓名", "Name"),
    "int.col.id": ("证件号码", "ID number"),
    "int.col.age": ("年龄", "Age"),
    "int.col.education": ("学历", "Education"),
    "int.col.vacancy": ("岗位", "Vacancy"),
    "int.col.employer": ("用人单位", "Employer"),
    "int.col.code": ("职业代码", "Occupation code"),
    "int.col.occupation": ("职业", "Occupation"),
    "int.col.reasons": ("匹配理由", "Why it was matched"),
    "int.col.shown": ("推荐次数", "Matches shown"),
    "int.col.interests": ("意向数", "Interests"),
    "int.reason.against": ("{reason}（不符）", "{reason} (does not fit)"),
    "int.stats": ("当天匹配统计", "Matching statistics of the day"),
    "int.stats.hint": (
        "推荐次数：岗位出现在群众匹配结果首页的次数；意向数：标记“有意向”的次数。按职业统计。",
        "Matches shown: how often a vacancy of the occupation was on the first page of a citizen's "
        "matches; interests: how often one was marked. By occupation.",
    ),
    "int.stats.total": ("合计", "Total"),
    "int.stats.none": ("当天没有匹配记录", "No matches shown on this day"),
    "int.age.unknown": ("—", "—"),
    "int.vacancy_gone": ("（岗位已删除）", "(vacancy deleted)"),
    "int.link": ("求职意向", "Job interests"),
}
