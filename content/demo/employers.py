"""Demo employers (用人单位): names, industries, addresses, credit codes and positions, as plain data.

Names are built like real registrations: city + trade name + business + legal form
(兰州鑫博物流有限公司). Trade names come from Faker's zh_CN company prefixes (filtered to short,
neutral ones) mixed with local words; industries use the GB/T 4754 section names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from faker.providers.company.zh_CN import Provider as CompanyProvider

from content.demo.places import (
    CHENGGUAN,
    DISTRICT_CENTRES,
    DISTRICTS,
    LANZHOU,
    ORG_TREE,
    QINZHOU,
    TIANSHUI,
    XIGU,
    walk,
)


@dataclass(frozen=True)
class Sector:
    industry: str  # GB/T 4754 section (门类) name
    businesses: tuple[str, ...]  # the business part of the company name
    occupations: tuple[str, ...]  # codes this kind of employer advertises, most common first
    lanzhou: int  # how many demo employers in Lanzhou
    tianshui: int  # and in Tianshui
    suffix: str = "有限公司"


SECTORS: Final = (
    Sector(
        "交通运输、仓储和邮政业",
        ("物流", "供应链管理", "速递", "仓储服务"),
        (
            "4-02-07-08",
            "4-02-07-09",
            "4-02-06-01",
            "4-02-05-01",
            "4-02-02-02",
            "6-30-05-01",
            "4-02-06-02",
            "4-07-02-03",
        ),
        6,
        2,
    ),
    Sector(
        "住宿和餐饮业",
        ("餐饮管理", "餐饮服务", "牛肉面"),
        ("4-03-02-05", "4-03-02-01", "4-03-02-02", "4-01-02-04", "4-09-07-01", "4-03-02-08"),
        5,
        2,
    ),
    Sector(
        "住宿和餐饮业",
        ("酒店管理", "大酒店"),
        ("4-03-01-02", "4-03-01-01", "4-03-02-05", "4-03-02-01", "4-07-05-01", "4-03-02-07"),
        2,
        1,
    ),
    Sector(
        "批发和零售业",
        ("商贸", "超市连锁", "百货"),
        (
            "4-01-02-03",
            "4-01-02-04",
            "4-02-06-02",
            "4-01-02-01",
            "4-01-01-01",
            "4-01-02-02",
            "4-01-02-07",
            "4-03-02-04",
        ),
        5,
        2,
    ),
    Sector(
        "建筑业",
        ("建筑工程", "建设工程", "建筑安装工程", "装饰工程"),
        (
            "6-29-01-04",
            "6-29-01-01",
            "6-29-01-03",
            "6-29-01-05",
            "6-29-03-02",
            "6-29-03-04",
            "6-29-04-01",
            "6-30-05-05",
            "6-31-01-03",
            "6-18-02-04",
        ),
        4,
        2,
    ),
    Sector(
        "制造业",
        ("机械制造", "机床", "装备制造", "电气设备", "汽车零部件"),
        (
            "6-18-01-01",
            "6-18-01-02",
            "6-18-02-04",
            "6-18-02-01",
            "6-22-02-01",
            "6-31-01-02",
            "6-31-01-03",
            "6-30-05-01",
            "2-02-07-01",
            "4-02-06-01",
        ),
        4,
        3,
    ),
    Sector(
        "房地产业",
        ("物业服务", "物业管理"),
        ("4-07-05-01", "4-09-07-01", "4-06-01-01", "6-31-01-03", "4-07-05-04", "4-07-02-03"),
        4,
        1,
    ),
    Sector(
        "居民服务、修理和其他服务业",
        ("家政服务", "母婴护理服务"),
        ("4-10-01-06", "4-10-01-02", "4-10-01-05", "4-09-07-01"),
        3,
        1,
    ),
    Sector(
        "居民服务、修理和其他服务业",
        ("汽车销售服务", "汽车维修服务"),
        ("4-12-01-01", "4-01-02-01", "4-07-02-03", "4-01-02-04"),
        2,
        1,
    ),
    Sector("居民服务、修理和其他服务业", ("美容美发",), ("4-10-03-02", "4-10-03-01", "4-01-02-04"), 1, 0),
    Sector(
        "卫生和社会工作",
        ("养老服务", "康养服务"),
        ("4-10-01-05", "2-05-08-01", "4-03-02-01", "4-09-07-01", "4-10-01-03"),
        2,
        1,
    ),
    Sector(
        "信息传输、软件和信息技术服务业",
        ("信息技术", "网络科技", "软件技术", "数据科技"),
        ("2-02-10-03", "2-02-10-04", "4-07-02-03", "4-01-02-02", "4-01-02-07", "4-01-02-01", "3-01-02-01"),
        3,
        0,
    ),
    Sector(
        "农、林、牧、渔业",
        ("农业科技", "果业", "现代农业发展", "食用菌开发"),
        ("5-01-02-02", "5-01-02-01", "5-01-02-03", "5-03-02-01", "5-05-05-01", "4-01-02-02"),
        1,
        3,
    ),
    Sector(
        "电力、热力、燃气及水生产和供应业",
        ("热力", "供热"),
        ("6-28-01-01", "6-31-01-03", "6-29-03-04", "6-31-01-02"),
        1,
        0,
    ),
    Sector("租赁和商务服务业", ("保安服务",), ("4-07-05-01", "4-07-05-04"), 1, 1),
    Sector(
        "金融业", ("村镇银行",), ("4-05-01-01", "4-01-02-01", "2-06-03-00", "4-07-02-03"), 1, 0, suffix="股份有限公司"
    ),
)

# Every employer may also post these back-office jobs now and then.
OFFICE_OCCUPATIONS: Final = ("2-06-03-00", "3-01-02-01")

_LOCAL_TRADE_NAMES: Final = ("陇原", "金城", "丝路", "黄河", "皋兰", "陇上", "羲皇", "麦积", "陇南风", "河州", "西北")
# Leave out names that read as IT firms, other cities or well-known brands.
_AVOID: Final = (
    "电子",
    "软",
    "信息",
    "科技",
    "计算机",
    "电脑",
    "公司",
    "国际",
    "数字",
    "开发区",
    "世创",
    "地球村",
    "亿次元",
    "黄石",
    "中建",
    "芯",
    "讯",
    "科信",
    "趋势",
    "罳",
    "悌",
)
_REAL_BRANDS: Final = frozenset(
    {"四通", "七喜", "太极", "方正科技", "飞利信", "网新恒天", "浙大万朋", "图龙信息", "联通时科"}
)

# The 31 characters of 统一社会信用代码 (GB 32100-2015) and their weights for the check character.
_CREDIT_CHARS: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Organization code (GB 11714) weights; letters count A=10 … Z=35.
_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)


# Where employers sit: the city-centre districts hold most of them.
_DISTRICT_WEIGHTS: Final = {CHENGGUAN: 4, QINZHOU: 3, XIGU: 1}  # the others: 2
_JITTER_KM: Final = 3.0  # how far (north-south and east-west) an employer may sit from its district's centre


@dataclass(frozen=True)
class EmployerSpec:
    name: str
    industry: str
    city: str
    district: str
    address: str
    credit_code: str
    area_code: str  # telephone area code of the district
    occupations: tuple[str, ...]
    latitude: float  # WGS 84 degrees, a few km around the district's centre
    longitude: float


def trade_names() -> list[str]:
    """Short, neutral trade names (字号) from Faker's zh_CN pool plus local words, in a stable order."""
    pool: list[str] = list(CompanyProvider.company_prefixes)
    picked = [
        name
        for name in dict.fromkeys(pool)
        if 2 <= len(name) <= 4
        and all("\u4e00" <= ch <= "\u9fff" for ch in name)
        and not any(word in name for word in _AVOID)
        and name not in _REAL_BRANDS
    ]
    return picked + list(_LOCAL_TRADE_NAMES)


def organization_code_check(body8: str) -> str:
    """The 9th character of a GB 11714 organization code for its first 8 characters."""
    total = sum(int(ch, 36) * weight for ch, weight in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_code_check(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 (GB 32100-2015) for its first 17 characters."""
    total = sum(_CREDIT_CHARS.index(ch) * weight for ch, weight in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def credit_code(rng: random.Random, region_code: str) -> str:
    """A well-formed credit code of a company (登记管理部门 9, 类别 1) registered in ``region_code``."""
    # Codes issued since 2015 carry an organization code starting with "MA"; the rest avoids
    # letters that GB 11714 and GB 32100 treat differently (I, O, S, V, Z).
    tail = "".join(rng.choice(_CREDIT_CHARS) for _ in range(6))
    body8 = "MA" + tail
    first17 = f"91{region_code}{body8}{organization_code_check(body8)}"
    return first17 + credit_code_check(first17)


def employer_position(district: str, credit_code: str) -> tuple[float, float]:
    """Where an employer sits: within about 3 km of its district's centre, the same for the same credit code.

    A random stream of its own per employer, so placing employers leaves the demo's other draws as they were.
    """
    rng = random.Random(f"demo-employer-position/{credit_code}")
    latitude, longitude = DISTRICT_CENTRES[district]
    # A degree of latitude is about 111 km; one of longitude at 35 N about 91 km.
    return (
        round(latitude + rng.uniform(-_JITTER_KM, _JITTER_KM) / 111.0, 5),
        round(longitude + rng.uniform(-_JITTER_KM, _JITTER_KM) / 91.0, 5),
    )


def _district_code(district: str) -> str:
    return next(node.division_code for node, _ in walk(ORG_TREE) if node.name == district)


def make_employers(rng: random.Random) -> list[EmployerSpec]:
    """The demo employers, in a stable order, with unique names."""
    names = trade_names()
    districts_of = {city: [d for d, (c, _, _) in DISTRICTS.items() if c == city] for city in (LANZHOU, TIANSHUI)}
    taken: set[str] = set()
    employers: list[EmployerSpec] = []
    for sector in SECTORS:
        for city, count in ((LANZHOU, sector.lanzhou), (TIANSHUI, sector.tianshui)):
            for _ in range(count):
                choices = districts_of[city]
                district = rng.choices(choices, weights=[_DISTRICT_WEIGHTS.get(d, 2) for d in choices])[0]
                _, area_code, roads = DISTRICTS[district]
                while True:
                    prefix = rng.choice((city[:2], city[:2], city[:2], "甘肃"))
                    name = f"{prefix}{rng.choice(names)}{rng.choice(sector.businesses)}{sector.suffix}"
                    if name not in taken:
                        taken.add(name)
                        break
                address = f"甘肃省{city}{district}{rng.choice(roads)}{rng.randint(1, 999)}号"
                code = credit_code(rng, _district_code(district))
                latitude, longitude = employer_position(district, code)
                employers.append(
                    EmployerSpec(
                        name=name,
                        industry=sector.industry,
                        city=city,
                        district=district,
                        address=address,
                        credit_code=code,
                        area_code=area_code,
                        occupations=sector.occupations,
                        latitude=latitude,
                        longitude=longitude,
                    )
                )
    return employers
