"""GB/T 6565-2015 occupation codes (职业分类与代码) that vacancies carry, and a search by words and pinyin.

Codes have the form major-middle-minor-detail (``4-02-07-08`` 快递员). The table holds the
occupations halls advertise (the demo world's table, ``content/demo/occupations.py``, uses the same
codes and names: ``tests/content/test_occupation_codes.py`` keeps them equal); check it against the
official classification before using it for statistics. ``search`` finds an occupation by part of its
name (快递), by the pinyin initials of its name (kdy) or by a code prefix (4-02), for the vacancy form's
occupation picker; the initials are computed once, with pypinyin (``kiosk_catalogue.pinyin_initials``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from content.library.kiosk_catalogue import pinyin_initials

MAJOR_CATEGORIES: Final = {
    "1": "党的机关、国家机关、群众团体和社会组织、企事业单位负责人",
    "2": "专业技术人员",
    "3": "办事人员和有关人员",
    "4": "社会生产服务和生活服务人员",
    "5": "农、林、牧、渔业生产及辅助人员",
    "6": "生产制造及有关人员",
    "7": "军人",
    "8": "不便分类的其他从业人员",
}

# (code, name), by code.
CODES: Final[tuple[tuple[str, str], ...]] = (
    ("2-02-07-01", "机械设计工程技术人员"),
    ("2-02-10-03", "计算机软件工程技术人员"),
    ("2-02-10-04", "计算机网络工程技术人员"),
    ("2-05-08-01", "内科护士"),
    ("2-06-03-00", "会计专业人员"),
    ("3-01-02-01", "秘书"),
    ("4-01-01-01", "采购员"),
    ("4-01-02-01", "营销员"),
    ("4-01-02-02", "电子商务师"),
    ("4-01-02-03", "商品营业员"),
    ("4-01-02-04", "收银员"),
    ("4-01-02-07", "互联网营销师"),
    ("4-02-02-01", "道路客运汽车驾驶员"),
    ("4-02-02-02", "道路货运汽车驾驶员"),
    ("4-02-05-01", "装卸搬运工"),
    ("4-02-06-01", "仓储管理员"),
    ("4-02-06-02", "理货员"),
    ("4-02-07-08", "快递员"),
    ("4-02-07-09", "快件处理员"),
    ("4-02-07-10", "网约配送员"),
    ("4-03-01-01", "前厅服务员"),
    ("4-03-01-02", "客房服务员"),
    ("4-03-02-01", "中式烹调师"),
    ("4-03-02-02", "中式面点师"),
    ("4-03-02-04", "西式面点师"),
    ("4-03-02-05", "餐厅服务员"),
    ("4-03-02-07", "茶艺师"),
    ("4-03-02-08", "咖啡师"),
    ("4-05-01-01", "银行综合柜员"),
    ("4-06-01-01", "物业管理员"),
    ("4-07-02-03", "客户服务管理员"),
    ("4-07-05-01", "保安员"),
    ("4-07-05-04", "消防设施操作员"),
    ("4-09-07-01", "保洁员"),
    ("4-10-01-02", "育婴员"),
    ("4-10-01-03", "保育员"),
    ("4-10-01-05", "养老护理员"),
    ("4-10-01-06", "家政服务员"),
    ("4-10-03-01", "美容师"),
    ("4-10-03-02", "美发师"),
    ("4-12-01-01", "汽车维修工"),
    ("5-01-02-01", "农艺工"),
    ("5-01-02-02", "园艺工"),
    ("5-01-02-03", "食用菌生产工"),
    ("5-03-02-01", "家畜饲养员"),
    ("5-05-05-01", "农机驾驶操作员"),
    ("6-18-01-01", "车工"),
    ("6-18-01-02", "铣工"),
    ("6-18-02-01", "铸造工"),
    ("6-18-02-04", "焊工"),
    ("6-22-02-01", "汽车装调工"),
    ("6-28-01-01", "锅炉运行值班员"),
    ("6-29-01-01", "砌筑工"),
    ("6-29-01-03", "混凝土工"),
    ("6-29-01-04", "钢筋工"),
    ("6-29-01-05", "架子工"),
    ("6-29-03-02", "电气设备安装工"),
    ("6-29-03-04", "管工"),
    ("6-29-04-01", "装饰装修工"),
    ("6-30-05-01", "起重装卸机械操作工"),
    ("6-30-05-05", "挖掘铲运和桩工机械司机"),
    ("6-31-01-02", "机修钳工"),
    ("6-31-01-03", "电工"),
)

NAMES: Final = dict(CODES)


@dataclass(frozen=True)
class OccupationCode:
    code: str
    name: str
    initials: str  # pinyin initials of the name, lower case: 快递员 → kdy

    @property
    def major(self) -> str:
        return MAJOR_CATEGORIES.get(self.code[:1], "")


@cache
def table() -> tuple[OccupationCode, ...]:
    """Every code with its name and the pinyin initials of its name."""
    return tuple(OccupationCode(code, name, pinyin_initials(name)) for code, name in CODES)


def search(query: str, limit: int = 20) -> list[OccupationCode]:
    """Occupations whose name holds ``query``, whose initials start with it, or whose code starts with it.

    Matches on the name come first, then on the initials, then on the code; each in code order.
    An empty query finds nothing.
    """
    text = query.strip().lower()
    if not text:
        return []
    by_name = [o for o in table() if text in o.name]
    by_initials = [o for o in table() if o.initials.startswith(text) and o not in by_name]
    by_code = [o for o in table() if o.code.startswith(text) and o not in by_name and o not in by_initials]
    return (by_name + by_initials + by_code)[:limit]
