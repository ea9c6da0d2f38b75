"""Test data for the matcher: a posting and a seeker factory with ``**overrides``, and hypothesis strategies for both."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from hypothesis import strategies as st

from content.library.items import Education
from content.matching.postings import JobPosting
from content.matching.seekers import Seeker

AT: Final = datetime(2026, 12, 7, 4, 0)  # noon in Lanzhou, naive UTC as stored
HALL: Final = (36.057, 103.838)
CODES: Final = ("6-30-05-01", "6-30-05-05", "6-31-01-03", "4-03-02-01", "4-03-02-05", "4-03-01-01", "3-01-02-01",
                "4-02-07-08", "2-02-10-03", "bogus")  # fmt: skip
WANTED: Final = ("6-30-05-01", "6-30", "4-03", "4-03-02", "3-01-02-01", "2", "4-02-07-08")
DISTRICTS: Final = ("城关区", "七里河区", "秦州区", "")
REQUIREMENTS: Final = (
    "年龄20-50周岁；身体健康，能适应倒班；须持有特种设备作业人员证（N1叉车或Q2桥门式起重机）；待遇：单位缴纳五险一金。",
    "年龄18-45周岁；须持有健康证；有相关工作经验者优先。",
    "45周岁以下，男女不限；熟练使用办公软件。",
    "年满18周岁；须持有特种作业操作证（低压电工作业）；汽车维修工职业技能等级证书优先。",
    "限男性，30岁以下；C1及以上驾驶证（重型货车需A2或B2）及道路货物运输从业资格证。",
    "服从安排，有团队合作精神；会电焊、氩弧焊者优先。",
    "",
)
CERTIFICATES: Final = (
    "叉车证",
    "健康证",
    "电工证",
    "B2驾驶证",
    "C1驾驶证",
    "货运从业资格证",
    "汽车维修工证",
    "茶艺师证",
)
SKILLS: Final = ("叉车驾驶", "电焊", "办公软件", "烹饪", "沟通")


def posting(**overrides: Any) -> JobPosting:
    values: dict[str, Any] = {
        "id": 1,
        "org_unit_id": 1,
        "title": "叉车司机",
        "employer": "兰州鑫博物流有限公司",
        "occupation_code": "6-30-05-01",
        "headcount": 2,
        "salary_min": 4500,
        "salary_max": 6000,
        "education": Education.SENIOR.value,
        "district": "城关区",
        "requirements": REQUIREMENTS[0],
        "created_at": AT - timedelta(days=5),
        "valid_from": AT - timedelta(days=5),
        "valid_until": AT + timedelta(days=30),
        "latitude": None,
        "longitude": None,
    }
    values.update(overrides)
    return JobPosting(**values)


def seeker(**overrides: Any) -> Seeker:
    values: dict[str, Any] = {"age": 32, "education": Education.SENIOR.value}
    values.update(overrides)
    return Seeker(**values)


_salary = st.one_of(
    st.tuples(st.none(), st.none()),
    st.tuples(st.integers(2000, 9000), st.none()),
    st.integers(2000, 9000).flatmap(lambda low: st.tuples(st.just(low), st.integers(low, low + 4000))),
)
_place = st.one_of(
    st.tuples(st.none(), st.none()),
    st.tuples(st.floats(34.5, 36.2), st.floats(103.5, 106.0)),
)


@st.composite
def postings(draw: st.DrawFn, ident: int) -> JobPosting:
    low, high = draw(_salary)
    latitude, longitude = draw(_place)
    created = AT - timedelta(hours=draw(st.integers(0, 24 * 30)))
    return posting(
        id=ident,
        org_unit_id=draw(st.integers(1, 4)),
        occupation_code=draw(st.sampled_from(CODES)),
        headcount=draw(st.integers(1, 40)),
        salary_min=low,
        salary_max=high,
        education=draw(st.sampled_from(list(Education))).value,
        district=draw(st.sampled_from(DISTRICTS)),
        requirements=draw(st.sampled_from(REQUIREMENTS)),
        created_at=created,
        valid_from=draw(st.sampled_from((None, created, AT + timedelta(days=1)))),
        valid_until=draw(st.sampled_from((None, AT, AT + timedelta(days=10)))),
        latitude=latitude,
        longitude=longitude,
    )


def posting_lists(max_size: int = 40) -> st.SearchStrategy[list[JobPosting]]:
    return st.integers(0, max_size).flatmap(lambda n: st.tuples(*(postings(i + 1) for i in range(n))).map(list))


seekers = st.builds(
    Seeker,
    age=st.one_of(st.none(), st.integers(16, 65)),
    education=st.sampled_from([e.value for e in Education] + [""]),
    occupations=st.lists(st.sampled_from(WANTED), max_size=3, unique=True).map(tuple),
    pay_min=st.one_of(st.none(), st.integers(2000, 9000)),
    districts=st.lists(st.sampled_from(DISTRICTS[:-1]), max_size=2, unique=True).map(tuple),
    districts_stated=st.booleans(),
    major=st.sampled_from(("", "机械设计", "烹饪")),
    skills=st.lists(st.sampled_from(SKILLS), max_size=3, unique=True).map(tuple),
    certificates=st.lists(st.sampled_from(CERTIFICATES), max_size=3, unique=True).map(tuple),
    past_occupations=st.lists(st.sampled_from(CODES), max_size=2, unique=True).map(tuple),
    latitude=st.one_of(st.none(), st.just(HALL[0])),
    longitude=st.just(HALL[1]),
)
