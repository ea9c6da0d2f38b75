"""Occupations that halls really advertise, with GB/T 6565-2015 codes (职业分类与代码).

Codes have the form major-middle-minor-detail, e.g. ``4-02-07-08`` 快递员. The table follows the
structure of the 2015 occupational classification (职业分类大典); several codes were checked
against published listings, the rest were compiled from memory of that table. Good enough for a
demo and for matching by prefix; check against the official table before using it for statistics.

Each entry also carries what a demo needs to write a plausible vacancy: typical job titles,
a monthly salary band for Gansu (yuan), accepted education levels, an age range, a certificate
and how many people one posting usually asks for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from content.library.items import Education

CODE_PATTERN: Final = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")

# The major categories (大类) have one home: content/library/occupations.py, MAJOR_CATEGORIES.

_ANY = (Education.NONE,)
_JUNIOR = (Education.NONE, Education.JUNIOR)
_SENIOR = (Education.JUNIOR, Education.SENIOR)
_VOCATIONAL = (Education.SENIOR, Education.COLLEGE)
_COLLEGE = (Education.COLLEGE, Education.BACHELOR)
_DEGREE = (Education.BACHELOR, Education.MASTER)


@dataclass(frozen=True)
class Occupation:
    code: str
    name: str
    titles: tuple[str, ...]
    salary: tuple[int, int]  # typical monthly range in Gansu, yuan
    education: tuple[Education, ...] = _ANY
    ages: tuple[int, int] = (18, 45)
    certificate: str | None = None
    max_headcount: int = 5

    @property
    def major(self) -> str:
        return self.code[0]


OCCUPATIONS: Final = (
    # 2 专业技术人员
    Occupation(
        "2-02-07-01",
        "机械设计工程技术人员",
        ("机械设计工程师", "结构设计工程师"),
        (5500, 11000),
        _COLLEGE,
        (22, 45),
        None,
        2,
    ),
    Occupation(
        "2-02-10-03",
        "计算机软件工程技术人员",
        ("软件开发工程师", "Java开发工程师", "前端开发工程师"),
        (6000, 12000),
        _DEGREE,
        (22, 40),
        None,
        3,
    ),
    Occupation(
        "2-02-10-04",
        "计算机网络工程技术人员",
        ("网络工程师", "网络运维工程师"),
        (5000, 9000),
        _COLLEGE,
        (22, 40),
        None,
        2,
    ),
    Occupation("2-05-08-01", "内科护士", ("护士", "病房护士"), (3800, 6500), _COLLEGE, (20, 40), "护士执业资格证书", 6),
    Occupation(
        "2-06-03-00",
        "会计专业人员",
        ("会计", "主办会计", "成本会计"),
        (3800, 7500),
        _COLLEGE,
        (22, 45),
        "初级及以上会计专业技术资格",
        1,
    ),
    # 3 办事人员和有关人员
    Occupation(
        "3-01-02-01", "秘书", ("行政文员", "办公室文员", "行政助理"), (3000, 5000), _VOCATIONAL, (20, 35), None, 2
    ),
    # 4 社会生产服务和生活服务人员
    Occupation("4-01-01-01", "采购员", ("采购专员", "采购员"), (3500, 6000), _VOCATIONAL, (22, 45), None, 2),
    Occupation(
        "4-01-02-01", "营销员", ("销售代表", "业务员", "电话销售专员"), (3000, 8000), _VOCATIONAL, (20, 40), None, 8
    ),
    Occupation(
        "4-01-02-02",
        "电子商务师",
        ("电商运营专员", "网店运营", "电商客服主管"),
        (3500, 7000),
        _VOCATIONAL,
        (20, 35),
        None,
        3,
    ),
    Occupation(
        "4-01-02-03", "商品营业员", ("营业员", "门店导购", "超市营业员"), (2600, 4200), _JUNIOR, (18, 45), None, 10
    ),
    Occupation("4-01-02-04", "收银员", ("收银员", "超市收银员"), (2500, 3800), _SENIOR, (18, 40), None, 6),
    Occupation(
        "4-01-02-07",
        "互联网营销师",
        ("直播销售员", "带货主播", "短视频运营"),
        (3500, 8000),
        _VOCATIONAL,
        (18, 35),
        None,
        3,
    ),
    Occupation(
        "4-02-02-01",
        "道路客运汽车驾驶员",
        ("客车司机", "通勤班车司机"),
        (4500, 7000),
        _SENIOR,
        (25, 55),
        "A1或B1驾驶证及道路旅客运输从业资格证",
        3,
    ),
    Occupation(
        "4-02-02-02",
        "道路货运汽车驾驶员",
        ("货车司机", "城市配送司机", "冷链车司机"),
        (5000, 8500),
        _SENIOR,
        (23, 55),
        "C1及以上驾驶证（重型货车需A2或B2）及道路货物运输从业资格证",
        5,
    ),
    Occupation("4-02-05-01", "装卸搬运工", ("装卸工", "搬运工"), (3800, 6500), _ANY, (18, 50), None, 15),
    Occupation("4-02-06-01", "仓储管理员", ("仓管员", "仓储主管", "库管员"), (3200, 5500), _SENIOR, (20, 45), None, 3),
    Occupation("4-02-06-02", "理货员", ("理货员", "分拣理货员"), (3000, 4800), _JUNIOR, (18, 45), None, 8),
    Occupation("4-02-07-08", "快递员", ("快递员", "快递派送员", "揽收员"), (4500, 8000), _JUNIOR, (18, 45), None, 20),
    Occupation("4-02-07-09", "快件处理员", ("快件分拣员", "中转场分拣员"), (3800, 6000), _JUNIOR, (18, 45), None, 20),
    Occupation(
        "4-02-07-10",
        "网约配送员",
        ("外卖骑手", "即时配送员", "同城配送员"),
        (5000, 9000),
        _ANY,
        (18, 50),
        "自备电动自行车者优先",
        30,
    ),
    Occupation(
        "4-03-01-01", "前厅服务员", ("酒店前台接待", "前厅接待员"), (2800, 4200), _VOCATIONAL, (18, 35), None, 3
    ),
    Occupation("4-03-01-02", "客房服务员", ("客房服务员", "楼层服务员"), (2600, 4000), _JUNIOR, (18, 50), None, 6),
    Occupation(
        "4-03-02-01", "中式烹调师", ("中餐厨师", "炒锅厨师", "凉菜师傅"), (4500, 9000), _JUNIOR, (20, 50), "健康证", 3
    ),
    Occupation(
        "4-03-02-02",
        "中式面点师",
        ("牛肉面拉面师", "面点师", "早餐面点师"),
        (4000, 7500),
        _JUNIOR,
        (18, 50),
        "健康证",
        4,
    ),
    Occupation("4-03-02-04", "西式面点师", ("烘焙师", "蛋糕裱花师"), (3500, 6500), _SENIOR, (18, 40), "健康证", 3),
    Occupation(
        "4-03-02-05", "餐厅服务员", ("餐厅服务员", "传菜员", "点餐员"), (2600, 4000), _ANY, (18, 45), "健康证", 10
    ),
    Occupation("4-03-02-07", "茶艺师", ("茶艺师", "茶室服务员"), (3000, 5000), _SENIOR, (18, 35), None, 2),
    Occupation("4-03-02-08", "咖啡师", ("咖啡师", "饮品调制员"), (3000, 4800), _SENIOR, (18, 35), "健康证", 3),
    Occupation("4-05-01-01", "银行综合柜员", ("综合柜员", "大堂经理"), (4000, 7000), _COLLEGE, (22, 35), None, 3),
    Occupation(
        "4-06-01-01",
        "物业管理员",
        ("物业管家", "客服前台（物业）", "项目经理助理"),
        (3000, 5000),
        _VOCATIONAL,
        (20, 45),
        None,
        3,
    ),
    Occupation(
        "4-07-02-03",
        "客户服务管理员",
        ("客服专员", "售后客服", "客服主管"),
        (3000, 5500),
        _VOCATIONAL,
        (18, 40),
        None,
        8,
    ),
    Occupation(
        "4-07-05-01",
        "保安员",
        ("保安员", "安保队员", "小区门岗", "商场保安"),
        (2800, 4500),
        _JUNIOR,
        (18, 55),
        "保安员证",
        15,
    ),
    Occupation(
        "4-07-05-04",
        "消防设施操作员",
        ("消防控制室值班员", "消防监控员"),
        (3500, 5500),
        _SENIOR,
        (20, 50),
        "消防设施操作员职业技能等级证书（持证上岗）",
        4,
    ),
    Occupation("4-09-07-01", "保洁员", ("保洁员", "物业保洁", "商场保洁"), (2500, 3500), _ANY, (18, 60), None, 12),
    Occupation(
        "4-10-01-02",
        "育婴员",
        ("育婴师", "月嫂", "母婴护理员"),
        (5000, 10000),
        _JUNIOR,
        (25, 55),
        "育婴员职业技能等级证书、健康证",
        6,
    ),
    Occupation(
        "4-10-01-03", "保育员", ("保育员", "幼儿园生活老师"), (2800, 4200), _SENIOR, (20, 45), "保育员证、健康证", 3
    ),
    Occupation(
        "4-10-01-05",
        "养老护理员",
        ("养老护理员", "护理员（养老院）", "居家养老护理员"),
        (3500, 6000),
        _JUNIOR,
        (25, 55),
        "养老护理员职业技能等级证书优先",
        10,
    ),
    Occupation(
        "4-10-01-06", "家政服务员", ("家政服务员", "住家保姆", "钟点工"), (3500, 7000), _ANY, (25, 58), "健康证", 10
    ),
    Occupation("4-10-03-01", "美容师", ("美容师", "皮肤管理师"), (3000, 7000), _SENIOR, (18, 35), None, 3),
    Occupation("4-10-03-02", "美发师", ("发型师", "美发助理"), (3000, 8000), _JUNIOR, (18, 35), None, 3),
    Occupation(
        "4-12-01-01",
        "汽车维修工",
        ("汽车维修工", "机修技师", "钣喷技师"),
        (4000, 8500),
        _SENIOR,
        (20, 45),
        "汽车维修工职业技能等级证书优先",
        4,
    ),
    # 5 农、林、牧、渔业生产及辅助人员
    Occupation("5-01-02-01", "农艺工", ("高原夏菜种植工", "大棚种植工"), (2800, 4500), _ANY, (18, 60), None, 15),
    Occupation(
        "5-01-02-02", "园艺工", ("果园管理员", "苹果园技术员", "花卉种植工"), (2800, 5000), _JUNIOR, (18, 60), None, 10
    ),
    Occupation("5-01-02-03", "食用菌生产工", ("食用菌种植工", "菌棒生产工"), (2800, 4500), _ANY, (18, 55), None, 10),
    Occupation("5-03-02-01", "家畜饲养员", ("肉牛饲养员", "养殖场饲养员"), (3500, 5500), _ANY, (20, 55), None, 5),
    Occupation(
        "5-05-05-01",
        "农机驾驶操作员",
        ("农机手", "拖拉机驾驶员"),
        (3500, 6000),
        _JUNIOR,
        (20, 55),
        "拖拉机和联合收割机驾驶证",
        3,
    ),
    # 6 生产制造及有关人员
    Occupation(
        "6-18-01-01",
        "车工",
        ("数控车工", "普通车工"),
        (4500, 8500),
        _VOCATIONAL,
        (20, 45),
        "车工职业技能等级证书优先",
        5,
    ),
    Occupation("6-18-01-02", "铣工", ("数控铣工", "加工中心操作工"), (4500, 8500), _VOCATIONAL, (20, 45), None, 4),
    Occupation("6-18-02-01", "铸造工", ("铸造工", "造型工"), (4500, 7500), _SENIOR, (20, 50), None, 6),
    Occupation(
        "6-18-02-04",
        "焊工",
        ("电焊工", "氩弧焊工", "二保焊工"),
        (5000, 9500),
        _SENIOR,
        (20, 50),
        "特种作业操作证（熔化焊接与热切割作业）",
        8,
    ),
    Occupation("6-22-02-01", "汽车装调工", ("汽车装配工", "整车调试工"), (4500, 7000), _SENIOR, (18, 40), None, 10),
    Occupation(
        "6-28-01-01",
        "锅炉运行值班员",
        ("锅炉工", "供热站运行工"),
        (3800, 6000),
        _SENIOR,
        (22, 55),
        "特种设备作业人员证（G1工业锅炉司炉）",
        4,
    ),
    Occupation("6-29-01-01", "砌筑工", ("瓦工", "砌筑工"), (5000, 9000), _ANY, (20, 55), None, 15),
    Occupation("6-29-01-03", "混凝土工", ("混凝土工", "泵车操作工"), (5000, 8500), _ANY, (20, 55), None, 10),
    Occupation("6-29-01-04", "钢筋工", ("钢筋工",), (5500, 10000), _ANY, (20, 55), None, 20),
    Occupation(
        "6-29-01-05", "架子工", ("架子工",), (5500, 10000), _ANY, (20, 50), "特种作业操作证（登高架设作业）", 10
    ),
    Occupation("6-29-03-02", "电气设备安装工", ("水电安装工", "电气安装工"), (5000, 8500), _SENIOR, (20, 50), None, 6),
    Occupation("6-29-03-04", "管工", ("管道工", "暖通管道安装工"), (5000, 8500), _JUNIOR, (20, 55), None, 6),
    Occupation("6-29-04-01", "装饰装修工", ("装修工", "油漆工", "木工（装修）"), (5000, 9000), _ANY, (20, 55), None, 8),
    Occupation(
        "6-30-05-01",
        "起重装卸机械操作工",
        ("叉车司机", "行车工"),
        (4200, 6500),
        _SENIOR,
        (20, 50),
        "特种设备作业人员证（N1叉车或Q2桥门式起重机）",
        4,
    ),
    Occupation(
        "6-30-05-05",
        "挖掘铲运和桩工机械司机",
        ("挖掘机司机", "装载机司机"),
        (6000, 11000),
        _JUNIOR,
        (22, 55),
        "挖掘机操作证书",
        3,
    ),
    Occupation("6-31-01-02", "机修钳工", ("设备维修工", "机修钳工"), (4500, 7500), _VOCATIONAL, (22, 50), None, 3),
    Occupation(
        "6-31-01-03",
        "电工",
        ("电工", "维修电工", "物业电工"),
        (4000, 7500),
        _SENIOR,
        (20, 55),
        "特种作业操作证（低压电工作业）",
        4,
    ),
)

OCCUPATIONS_BY_CODE: Final = {occupation.code: occupation for occupation in OCCUPATIONS}


def occupation(code: str) -> Occupation:
    """The table entry for ``code``; KeyError names the code when it is not in the table."""
    try:
        return OCCUPATIONS_BY_CODE[code]
    except KeyError:
        raise KeyError(f"occupation code {code!r} is not in the demo table") from None
