"""Demo service guides (办事指南) of a Gansu hall, as plain data, published by the province or a city.

Conditions, materials and steps follow what halls commonly publish for these services; legal bases
name only general sources that exist (《失业保险条例》, 《中华人民共和国社会保险法》, 《中华人民共和国
就业促进法》), never a made-up document number. Online links point at an example host: the demo never
sends a citizen's phone to a real government site.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from content.demo.places import LANZHOU, PROVINCE
from content.library.guides.fields import GuideFields, Material
from content.library.guides.service_guides import ServiceGuide
from content.library.items import ItemStatus
from content.org.tree import OrgUnit

ONLINE: Final = "https://zwfw.gansu.example.cn/guide/"
HALL: Final = "市民服务中心人社服务区"
HOURS: Final = "工作日 9:00-12:00，13:30-17:30"
PHONE: Final = "12333"
ID: Final = Material("居民身份证或社会保障卡", 1, True)
PHOTO: Final = Material("近期免冠一寸彩色照片", 2)


@dataclass(frozen=True)
class GuideSpec:
    title: str
    category: str
    publisher: str
    conditions: str
    materials: tuple[Material, ...]
    steps: tuple[str, ...]
    time_limit: str
    counter: str
    legal_basis: str = ""
    fee: str = "不收费"
    slug: str = ""


GUIDES: Final = (
    GuideSpec(
        "就业创业证申领",
        "就业服务",
        PROVINCE,
        "法定劳动年龄内、有劳动能力和就业要求的城乡劳动者，以及在本地就业创业的外地劳动者。",
        (ID,),
        ("在网上办事大厅或服务窗口提交申请", "窗口核对身份信息与就业失业状态", "审核通过后当场发放或电子证照生成"),
        "即时办结",
        "2号就业服务窗口",
        "《中华人民共和国就业促进法》",
        slug="jycyz",
    ),
    GuideSpec(
        "失业登记",
        "就业服务",
        PROVINCE,
        "法定劳动年龄内、有劳动能力、有就业要求、处于无业状态的城乡劳动者，在常住地进行失业登记。",
        (ID, Material("与原单位解除或终止劳动关系的证明", 1, True, "无单位的可不提供")),
        ("本人到常住地服务窗口或网上申请", "如实填写失业登记信息", "窗口审核登记，提供职业指导和岗位推荐"),
        "即时办结",
        "2号就业服务窗口",
        "《中华人民共和国就业促进法》",
        slug="sydj",
    ),
    GuideSpec(
        "失业保险金申领",
        "社会保险",
        PROVINCE,
        "失业前用人单位和本人已缴纳失业保险费满一年；非因本人意愿中断就业；已进行失业登记并有求职要求。",
        (ID, Material("本人社会保障卡或银行账户信息", 1, True), Material("解除或终止劳动关系的证明", 1, True)),
        (
            "网上或到服务窗口提出申请",
            "经办机构核对参保缴费和失业情况",
            "审核通过的按月发放失业保险金",
            "领取期间按要求接受职业指导和培训",
        ),
        "即时办结",
        "5号社会保险窗口",
        "《中华人民共和国社会保险法》《失业保险条例》",
        slug="sybxj",
    ),
    GuideSpec(
        "灵活就业人员参保登记",
        "社会保险",
        PROVINCE,
        "无雇工的个体工商户、未在用人单位参加职工基本养老保险的非全日制从业人员以及其他灵活就业人员。",
        (ID,),
        ("网上或到服务窗口提交参保登记申请", "选择缴费基数档次并签订缴费协议", "按月或按年缴纳养老保险费"),
        "即时办结",
        "5号社会保险窗口",
        "《中华人民共和国社会保险法》",
        slug="lhjy",
    ),
    GuideSpec(
        "社会保障卡申领与补换",
        "社会保障卡",
        PROVINCE,
        "已参加社会保险的人员首次申领；卡片遗失、损坏或信息变更需要补换的持卡人。",
        (ID, PHOTO, Material("监护人身份证件", 1, True, "未成年人申领时提供")),
        ("到服务窗口或合作银行网点提出申请", "采集相片和身份信息", "遗失的先办理挂失", "制卡完成后领取并启用"),
        "即时制卡的当场领取；其他20个工作日",
        "8号社会保障卡窗口",
        fee="首次申领不收费；补换按规定收取工本费",
        slug="sbk",
    ),
    GuideSpec(
        "城镇职工基本养老保险关系转移接续",
        "社会保险",
        PROVINCE,
        "跨省或省内跨统筹地区流动就业，已在原参保地缴纳职工基本养老保险费的参保人员。",
        (ID, Material("原参保地出具的参保缴费凭证", 1, False, "可由经办机构网上获取")),
        (
            "在新参保地提出转移接续申请",
            "新参保地向原参保地发出联系函",
            "原参保地转出基金和缴费信息",
            "新参保地接续并告知本人",
        ),
        "15个工作日",
        "6号社会保险窗口",
        "《中华人民共和国社会保险法》",
        slug="ylzy",
    ),
    GuideSpec(
        "个人权益记录（参保证明）打印",
        "社会保险",
        PROVINCE,
        "参保人员本人查询打印个人参保缴费记录或参保证明。",
        (ID,),
        ("在自助终端刷身份证或社会保障卡", "选择参保证明类型和时段", "自助打印带核验码的参保证明"),
        "即时办结",
        "自助服务区",
        slug="cbzm",
    ),
    GuideSpec(
        "职业培训补贴申领",
        "职业能力",
        LANZHOU,
        "参加政府补贴培训并取得职业资格证书、职业技能等级证书或专项职业能力证书的符合条件人员。",
        (ID, Material("职业资格证书或职业技能等级证书", 1, True), Material("本人社会保障卡或银行账户信息", 1)),
        ("培训结束取证后提出申请", "经办机构核对培训和取证信息", "公示无异议后按规定拨付补贴"),
        "20个工作日",
        "3号职业能力窗口",
        "《中华人民共和国就业促进法》",
        slug="pxbt",
    ),
    GuideSpec(
        "一次性创业补贴申领",
        "就业服务",
        LANZHOU,
        "首次创办小微企业或从事个体经营，正常经营一定时间以上的符合条件人员（以当地政策为准）。",
        (ID, Material("营业执照", 1, True), Material("经营场所证明", 1)),
        ("网上或到服务窗口提交申请", "经办机构审核并实地核查经营情况", "公示无异议后发放补贴"),
        "20个工作日",
        "4号创业服务窗口",
        slug="cybt",
    ),
    GuideSpec(
        "退休申请（职工基本养老金待遇申领）",
        "社会保险",
        PROVINCE,
        "达到法定退休年龄、累计缴纳基本养老保险费满十五年的参保人员。",
        (
            ID,
            Material("本人社会保障卡或银行账户信息", 1, True),
            Material("档案材料", 1, True, "由单位或档案保管机构提供"),
        ),
        ("单位或本人提出待遇申领", "经办机构审核出生时间、视同缴费年限等", "核定基本养老金并按月发放"),
        "20个工作日",
        "7号养老保险窗口",
        "《中华人民共和国社会保险法》",
        slug="txsq",
    ),
)


def seed_guides(session: Session, orgs: Mapping[str, OrgUnit], today: date, tz: ZoneInfo) -> list[ServiceGuide]:
    """Publish the demo guides, each checked by the rule every guide obeys."""
    start = datetime.combine(today - timedelta(days=60), time(9), tzinfo=tz)
    guides = []
    for n, spec in enumerate(GUIDES):
        fields = GuideFields.parse(
            {
                "title": spec.title,
                "category": spec.category,
                "conditions": spec.conditions,
                "materials": [m.as_json() for m in spec.materials],
                "steps": list(spec.steps),
                "time_limit": spec.time_limit,
                "fee": spec.fee,
                "location": HALL,
                "counter": spec.counter,
                "hours": HOURS,
                "legal_basis": spec.legal_basis,
                "online_url": f"{ONLINE}{spec.slug}" if spec.slug else "",
                "phone": PHONE,
            }
        )
        at = start + timedelta(minutes=n)  # a stable order, newest last
        guide = ServiceGuide(
            **fields.columns(),
            status=ItemStatus.PUBLISHED.value,
            created_at=at,
            updated_at=at,
        )
        guide.org_unit_id = orgs[spec.publisher].id
        session.add(guide)
        guides.append(guide)
    return guides
