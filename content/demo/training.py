"""Demo training courses (培训信息) in Gansu: who teaches what, when, for whom it is subsidised, as plain data.

Dates are relative to the day the demo is seeded, so the kiosk's "starts within a month" and "places
left" filters always have something to show and something to leave out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from content.demo.places import ANNING, CHENGGUAN, LANZHOU, MAIJI, PROVINCE, QILIHE, QINZHOU, TIANSHUI, XIGU
from content.library.items import ItemStatus
from content.library.training.courses import SubsidyGroup as G
from content.library.training.courses import TrainingCourse
from content.org.tree import OrgUnit

LANZHOU_CENTRE: Final = "兰州市职业技能培训中心"


@dataclass(frozen=True)
class CourseSpec:
    title: str
    provider: str
    publisher: str  # name of the org node that publishes it
    occupation_code: str | None
    groups: tuple[G, ...]
    subsidy_text: str
    starts_in: int  # days after the seeding day (negative: already running)
    days: int
    class_times: str
    places_total: int
    places_left: int
    fee_yuan: int
    venue: str
    district: str
    phone: str
    url: str
    requirements: str

    def starts_on(self, today: date) -> date:
        return today + timedelta(days=self.starts_in)

    def ends_on(self, today: date) -> date:
        return self.starts_on(today) + timedelta(days=self.days)


_ENROL: Final = "https://rsj.lanzhou.example.cn/pxbm?course="
COURSES: Final = (
    CourseSpec(
        "养老护理员（初级）",
        LANZHOU_CENTRE,
        LANZHOU,
        "4-10-01-05",
        (G.HARD_TO_EMPLOY, G.UNEMPLOYED, G.RURAL_MIGRANTS),
        "取得职业技能等级证书后补贴1500元/人",
        6,
        20,
        "周一至周五 9:00-12:00、14:00-17:00",
        40,
        12,
        0,
        "城关区雁滩路3188号三楼",
        CHENGGUAN,
        "0931-8456012",
        f"{_ENROL}yl01",
        "16-55周岁，身体健康，有爱心和耐心",
    ),
    CourseSpec(
        "中式面点师",
        "兰州新东方烹饪职业培训学校",
        LANZHOU,
        "4-03-02-02",
        (G.UNEMPLOYED, G.RURAL_MIGRANTS, G.POVERTY_EXIT),
        "考核合格补贴1200元/人",
        10,
        30,
        "每天 8:30-16:30（周日休息）",
        30,
        18,
        0,
        "七里河区西津西路16号",
        QILIHE,
        "0931-2637788",
        f"{_ENROL}mg02",
        "初中及以上文化程度，持健康证上岗",
    ),
    CourseSpec(
        "电工（低压）特种作业",
        "甘肃省安全生产培训中心",
        PROVINCE,
        "6-31-01-03",
        (G.UNEMPLOYED, G.GRADUATES),
        "取得特种作业操作证后补贴1000元/人",
        14,
        12,
        "周一至周六 9:00-17:00",
        50,
        6,
        600,
        "西固区福利东路55号",
        XIGU,
        "0931-7556210",
        f"{_ENROL}dg03",
        "年满18周岁，初中及以上文化程度，无妨碍从事电工作业的疾病",
    ),
    CourseSpec(
        "叉车司机",
        LANZHOU_CENTRE,
        LANZHOU,
        "6-29-03-02",
        (G.UNEMPLOYED, G.RURAL_MIGRANTS),
        "取证后补贴800元/人",
        3,
        7,
        "周一至周日 9:00-17:00",
        25,
        0,
        800,
        "安宁区北滨河西路1200号实训基地",
        ANNING,
        "0931-8456012",
        "",
        "年满18周岁，色觉正常",
    ),
    CourseSpec(
        "电子商务直播带货",
        "兰州市电子商务公共服务中心",
        LANZHOU,
        "4-01-02-02",
        (G.GRADUATES, G.HARD_TO_EMPLOY),
        "离校未就业高校毕业生全额补贴",
        18,
        10,
        "周二、周四 14:00-17:30，周六全天",
        60,
        25,
        0,
        "城关区东岗西路638号",
        CHENGGUAN,
        "0931-8823190",
        f"{_ENROL}ds05",
        "会使用智能手机，对直播销售有兴趣",
    ),
    CourseSpec(
        "家政服务员",
        "城关区家政服务培训学校",
        CHENGGUAN,
        "4-10-01-06",
        (G.RURAL_MIGRANTS, G.POVERTY_EXIT, G.HARD_TO_EMPLOY),
        "考核合格补贴1000元/人",
        21,
        15,
        "周一至周五 9:00-16:00",
        35,
        30,
        0,
        "城关区皋兰路2号",
        CHENGGUAN,
        "0931-8860321",
        f"{_ENROL}jz06",
        "16-60周岁，身体健康",
    ),
    CourseSpec(
        "挖掘机操作",
        "兰州某某工程机械职业培训学校",
        LANZHOU,
        "6-29-01-03",
        (G.POVERTY_EXIT, G.RURAL_MIGRANTS, G.VETERANS),
        "脱贫劳动力补贴2000元/人",
        40,
        25,
        "每天 8:00-12:00、14:30-18:00",
        20,
        9,
        1200,
        "七里河区彭家坪实训场",
        QILIHE,
        "0931-2981177",
        f"{_ENROL}wj07",
        "年满18周岁，初中及以上文化程度",
    ),
    CourseSpec(
        "保育师",
        "天水市职业技能培训中心",
        TIANSHUI,
        "4-10-01-03",
        (G.UNEMPLOYED, G.GRADUATES),
        "考核合格补贴1200元/人",
        8,
        18,
        "周一至周五 9:00-17:00",
        30,
        14,
        0,
        "秦州区民主西路38号",
        QINZHOU,
        "0938-8213344",
        f"{_ENROL}by08",
        "高中及以上文化程度，女性优先",
    ),
    CourseSpec(
        "果树修剪与栽培（花牛苹果）",
        "麦积区农业技术推广中心",
        TIANSHUI,
        "5-01-02-02",
        (G.RURAL_MIGRANTS, G.POVERTY_EXIT),
        "免费培训并发放误工补贴50元/天",
        -2,
        10,
        "每天 9:00-16:00（田间实训）",
        80,
        22,
        0,
        "麦积区花牛镇示范园",
        MAIJI,
        "0938-2731166",
        "",
        "从事或有意从事果树种植的农民",
    ),
)


def seed_training(session: Session, orgs: Mapping[str, OrgUnit], today: date, tz: ZoneInfo) -> int:
    """Add the demo courses, published a week ago and shown until the end of their last day; how many."""
    published = datetime.combine(today - timedelta(days=7), time(9), tzinfo=tz)
    for spec in COURSES:
        course = TrainingCourse(
            org_unit=orgs[spec.publisher],
            title=spec.title,
            status=ItemStatus.PUBLISHED.value,
            valid_from=datetime.combine(today - timedelta(days=7), time(), tzinfo=tz),
            valid_until=datetime.combine(spec.ends_on(today) + timedelta(days=1), time(), tzinfo=tz),
            created_at=published,
            updated_at=published,
            provider=spec.provider,
            occupation_code=spec.occupation_code,
            subsidy_groups=[g.value for g in spec.groups],
            subsidy_text=spec.subsidy_text,
            starts_on=spec.starts_on(today),
            ends_on=spec.ends_on(today),
            class_times=spec.class_times,
            places_total=spec.places_total,
            fee_yuan=spec.fee_yuan,
            venue=spec.venue,
            district=spec.district,
            enrol_phone=spec.phone,
            enrol_url=spec.url,
            requirements=spec.requirements,
        )
        course.places_left = spec.places_left  # after the total: the model checks one against the other
        session.add(course)
    return len(COURSES)
