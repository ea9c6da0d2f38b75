"""The demo world's org tree, its halls and the screens in each hall, as plain data.

Province, city and county division codes are the real GB/T 2260 codes. The street and community
codes use the 12-digit form of the statistical division codes (统计用区划代码) and are
illustrative. Hall addresses are plausible, not the real offices' addresses; hall and district
coordinates are approximate (a few hundred metres), enough for "3 km from here".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from content.org.screens import Orientation, Panel, ScreenKind
from content.org.tree import OrgLevel


@dataclass(frozen=True)
class PlaceSpec:
    name: str
    level: OrgLevel
    division_code: str
    children: tuple[PlaceSpec, ...] = ()


@dataclass(frozen=True)
class ScreenSpec:
    name: str
    kind: ScreenKind
    width_px: int
    height_px: int
    panel: Panel = Panel.LCD
    tags: tuple[str, ...] = ()

    @property
    def orientation(self) -> Orientation:
        return Orientation.PORTRAIT if self.height_px > self.width_px else Orientation.LANDSCAPE


@dataclass(frozen=True)
class HallSpec:
    name: str
    place: str  # name of the org node the hall belongs to
    address: str
    screens: tuple[ScreenSpec, ...]
    position: tuple[float, float] | None = None  # (latitude, longitude), WGS 84 degrees, approximate


# Tags. Screens tagged INDEPENDENT run their own default programme and are left out of the
# province-wide dayparts, which are laid out for 16:9 walls.
TAG_ENTRANCE: Final = "入口"
TAG_FIRST_FLOOR: Final = "一楼"
TAG_SECOND_FLOOR: Final = "二楼"
TAG_WALL: Final = "大屏"
TAG_WIDE: Final = "超宽屏"
TAG_LED: Final = "LED"
TAG_KIOSK: Final = "触摸屏"
TAG_COUNTER: Final = "窗口屏"
TAG_INDEPENDENT: Final = "独立节目"
TAG_QUEUE: Final = "叫号屏"  # walls that show the hall's queue board

PROVINCE: Final = "甘肃省"
LANZHOU: Final = "兰州市"
TIANSHUI: Final = "天水市"
CHENGGUAN: Final = "城关区"
QILIHE: Final = "七里河区"
XIGU: Final = "西固区"
ANNING: Final = "安宁区"
QINZHOU: Final = "秦州区"
MAIJI: Final = "麦积区"
ZHANGYELU: Final = "张掖路街道"
WUDULU: Final = "武都路社区"

ORG_TREE: Final = PlaceSpec(
    PROVINCE,
    OrgLevel.PROVINCE,
    "620000",
    (
        PlaceSpec(
            LANZHOU,
            OrgLevel.CITY,
            "620100",
            (
                PlaceSpec(
                    CHENGGUAN,
                    OrgLevel.COUNTY,
                    "620102",
                    (
                        PlaceSpec(
                            ZHANGYELU,
                            OrgLevel.STREET,
                            "620102002000",
                            (PlaceSpec(WUDULU, OrgLevel.COMMUNITY, "620102002003"),),
                        ),
                    ),
                ),
                PlaceSpec(QILIHE, OrgLevel.COUNTY, "620103"),
                PlaceSpec(XIGU, OrgLevel.COUNTY, "620104"),
                PlaceSpec(ANNING, OrgLevel.COUNTY, "620105"),
            ),
        ),
        PlaceSpec(
            TIANSHUI,
            OrgLevel.CITY,
            "620500",
            (
                PlaceSpec(QINZHOU, OrgLevel.COUNTY, "620502"),
                PlaceSpec(MAIJI, OrgLevel.COUNTY, "620503"),
            ),
        ),
    ),
)

# County-level districts: the city each belongs to, its telephone area code and a few real
# main roads, for employer addresses and contacts.
DISTRICTS: Final[dict[str, tuple[str, str, tuple[str, ...]]]] = {
    CHENGGUAN: (LANZHOU, "0931", ("庆阳路", "东岗西路", "张掖路", "武都路", "天水南路", "南昌路", "雁滩路", "酒泉路")),
    QILIHE: (LANZHOU, "0931", ("西津西路", "西津东路", "建西东路", "敦煌路", "兰工坪路")),
    XIGU: (LANZHOU, "0931", ("福利路", "玉门街", "合水路", "西固中路")),
    ANNING: (LANZHOU, "0931", ("安宁西路", "北滨河西路", "万新路", "培黎街", "银安路")),
    QINZHOU: (TIANSHUI, "0938", ("民主西路", "建设路", "藉河南路", "岷山路", "成纪大道")),
    MAIJI: (TIANSHUI, "0938", ("埠南路", "渭滨北路", "商埠路", "陇昌路")),
}


# Approximate centres of the county-level districts (latitude, longitude; WGS 84 degrees), from real
# Gansu geography: Lanzhou's districts strung along the Yellow River valley, Tianshui's two some
# 250 km to the south-east. Demo employers sit a few kilometres around these (content/demo/employers.py).
DISTRICT_CENTRES: Final[dict[str, tuple[float, float]]] = {
    CHENGGUAN: (36.057, 103.838),
    QILIHE: (36.066, 103.786),
    XIGU: (36.092, 103.628),
    ANNING: (36.104, 103.719),
    QINZHOU: (34.581, 105.724),
    MAIJI: (34.570, 105.892),
}


def _wall(name: str, *tags: str) -> ScreenSpec:
    return ScreenSpec(name, ScreenKind.WALL, 1920, 1080, Panel.LCD, (TAG_WALL, *tags))


def _kiosk(name: str, *tags: str) -> ScreenSpec:
    return ScreenSpec(name, ScreenKind.KIOSK, 1080, 1920, Panel.LCD, (TAG_KIOSK, TAG_INDEPENDENT, *tags))


def _counter(number: int) -> ScreenSpec:
    return ScreenSpec(f"{number}号窗口条屏", ScreenKind.COUNTER, 640, 64, Panel.LED, (TAG_COUNTER, TAG_INDEPENDENT))


WIDE_WALL_NAME: Final = "一楼招聘信息超宽屏"
LED_WALL_NAME: Final = "门头LED显示屏"

HALLS: Final = (
    HallSpec(
        "甘肃省人力资源市场",
        PROVINCE,
        "甘肃省兰州市城关区南滨河东路",
        (
            _wall("一楼大厅主屏", TAG_ENTRANCE, TAG_FIRST_FLOOR),
            ScreenSpec(
                WIDE_WALL_NAME, ScreenKind.WALL, 3840, 1080, Panel.LCD, (TAG_WIDE, TAG_FIRST_FLOOR, TAG_INDEPENDENT)
            ),
            ScreenSpec(LED_WALL_NAME, ScreenKind.WALL, 768, 384, Panel.LED, (TAG_LED, TAG_ENTRANCE, TAG_INDEPENDENT)),
            _wall("二楼洽谈区大屏", TAG_SECOND_FLOOR),
            _kiosk("一楼自助服务终端1", TAG_FIRST_FLOOR),
            _kiosk("一楼自助服务终端2", TAG_FIRST_FLOOR),
            _kiosk("二楼自助服务终端", TAG_SECOND_FLOOR),
            *(_counter(n) for n in range(1, 5)),
        ),
        (36.052, 103.872),
    ),
    HallSpec(
        "兰州市人力资源和社会保障服务中心",
        LANZHOU,
        "甘肃省兰州市城关区庆阳路",
        (
            _wall("大厅入口屏", TAG_ENTRANCE, TAG_FIRST_FLOOR),
            _wall("二楼社保服务区大屏", TAG_SECOND_FLOOR, TAG_QUEUE, TAG_INDEPENDENT),
            _kiosk("社保自助终端1", TAG_FIRST_FLOOR),
            _kiosk("社保自助终端2", TAG_FIRST_FLOOR),
            *(_counter(n) for n in range(1, 5)),
        ),
        (36.061, 103.829),
    ),
    HallSpec(
        "城关区公共就业服务中心",
        CHENGGUAN,
        "甘肃省兰州市城关区东岗西路",
        (
            _wall("大厅入口屏", TAG_ENTRANCE),
            _kiosk("求职自助终端1"),
            _kiosk("求职自助终端2"),
            *(_counter(n) for n in range(1, 4)),
        ),
        (36.052, 103.853),
    ),
    HallSpec(
        "张掖路街道便民服务站",
        ZHANGYELU,
        "甘肃省兰州市城关区张掖路",
        (
            _wall("服务站信息屏", TAG_ENTRANCE),
            _kiosk("便民自助终端"),
            _counter(1),
        ),
        (36.062, 103.818),
    ),
    HallSpec(
        "武都路社区就业服务站",
        WUDULU,
        "甘肃省兰州市城关区武都路",
        (
            _wall("社区信息屏", TAG_ENTRANCE),
            _kiosk("社区自助终端"),
        ),
        (36.060, 103.822),
    ),
    HallSpec(
        "天水市人力资源和社会保障服务中心",
        TIANSHUI,
        "甘肃省天水市秦州区民主西路",
        (
            _wall("大厅入口屏", TAG_ENTRANCE, TAG_FIRST_FLOOR),
            _kiosk("自助服务终端1"),
            _kiosk("自助服务终端2"),
            *(_counter(n) for n in range(1, 3)),
        ),
        (34.580, 105.719),
    ),
    HallSpec(
        "麦积区公共就业服务中心",
        MAIJI,
        "甘肃省天水市麦积区埠南路",
        (
            _wall("大厅入口屏", TAG_ENTRANCE),
            _kiosk("求职自助终端"),
            _counter(1),
        ),
        (34.566, 105.895),
    ),
)

COMMUNITY_HALL: Final = "武都路社区就业服务站"

# Screen groups: (name, owning org node, what joins it).
GROUP_ENTRANCES: Final = "全省大厅入口屏"
GROUP_LANZHOU_KIOSKS: Final = "兰州市触摸屏"
GROUP_CHENGGUAN_COUNTERS: Final = "城关区窗口屏"
GROUP_TIANSHUI_WALLS: Final = "天水市大厅大屏"


def walk(tree: PlaceSpec = ORG_TREE) -> list[tuple[PlaceSpec, PlaceSpec | None]]:
    """Every node with its parent, parents first."""
    out: list[tuple[PlaceSpec, PlaceSpec | None]] = [(tree, None)]
    for node, _ in out:  # breadth first: the list grows while we walk it
        out.extend((child, node) for child in node.children)
    return out
