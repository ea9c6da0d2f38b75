"""Target matching down the org tree, exclusions at every level, and rule validation."""

from __future__ import annotations

from typing import Any

import pytest

from content.errors import ValidationError
from content.signage.targeting import ScreenContext, TargetIndex, TargetRule, validate_targets

# province 1 → city 2 → county 3 → street 4; hall 10 sits at street 4, hall 11 at county 5 (city 2).
PATH_STREET = (1, 2, 3, 4)
PATH_OTHER_COUNTY = (1, 2, 5)


def ctx(
    screen_id: int = 100,
    hall_id: int = 10,
    path: tuple[int, ...] = PATH_STREET,
    groups: frozenset[int] = frozenset(),
    tags: frozenset[str] = frozenset(),
) -> ScreenContext:
    return ScreenContext(
        screen_id=screen_id,
        hall_id=hall_id,
        org_unit_id=path[-1],
        org_path=path,
        group_ids=groups,
        tags=tags,
        timezone="Asia/Shanghai",
    )


def rules(*specs: tuple[str, str, Any]) -> list[TargetRule]:
    return [TargetRule(mode, kind, str(ref)) for mode, kind, ref in specs]


def test_org_include_reaches_every_hall_in_the_subtree() -> None:
    index = TargetIndex({7: rules(("include", "org", 1)), 8: rules(("include", "org", 3))})
    assert index.match(ctx()) == {7, 8}
    assert index.match(ctx(hall_id=11, path=PATH_OTHER_COUNTY)) == {7}


@pytest.mark.parametrize(
    "exclude",
    [
        ("exclude", "org", 4),
        ("exclude", "hall", 10),
        ("exclude", "tag", "柜台"),
        ("exclude", "screen", 100),
        ("exclude", "group", 42),
    ],
)
def test_exclusion_at_a_lower_level_wins(exclude: tuple[str, str, Any]) -> None:
    index = TargetIndex({7: rules(("include", "org", 1), exclude)})
    excluded = ctx(groups=frozenset({42}), tags=frozenset({"柜台"}))
    assert index.match(excluded) == frozenset()
    assert index.match(ctx(screen_id=101, hall_id=11, path=PATH_OTHER_COUNTY)) == {7}


def test_group_tag_hall_and_screen_includes() -> None:
    index = TargetIndex(
        {
            1: rules(("include", "group", 42)),
            2: rules(("include", "tag", "入口")),
            3: rules(("include", "hall", 10)),
            4: rules(("include", "screen", 100)),
        }
    )
    assert index.match(ctx(groups=frozenset({42}), tags=frozenset({"入口"}))) == {1, 2, 3, 4}
    assert index.match(ctx(screen_id=101, hall_id=11, path=PATH_OTHER_COUNTY)) == frozenset()


def test_an_owner_never_reaches_outside_its_home_subtree() -> None:
    """County 3's tag and group rules miss county 5's screens; the province's own rules do not."""
    tagged = dict(groups=frozenset({42}), tags=frozenset({"入口"}))
    index = TargetIndex(
        {
            1: rules(("include", "tag", "入口")),
            2: rules(("include", "group", 42)),
            3: rules(("include", "hall", 11)),
            4: rules(("include", "tag", "入口")),
        },
        homes={1: 3, 2: 3, 3: 3, 4: 1},
    )
    assert index.match(ctx(**tagged)) == {1, 2, 4}
    assert index.match(ctx(screen_id=101, hall_id=11, path=PATH_OTHER_COUNTY, **tagged)) == {4}


def test_exclude_only_owner_matches_nothing() -> None:
    assert TargetIndex({1: rules(("exclude", "org", 9))}).match(ctx()) == frozenset()


def test_screens_of_one_hall_differ_only_by_their_own_rules() -> None:
    index = TargetIndex({1: rules(("include", "hall", 10), ("exclude", "tag", "counter"))})
    assert index.match(ctx(screen_id=1)) == {1}
    assert index.match(ctx(screen_id=2, tags=frozenset({"counter"}))) == frozenset()
    assert index.match(ctx(screen_id=3)) == {1}  # the cached hall part is not polluted by screen 2


def test_malformed_stored_rules_are_ignored_not_fatal() -> None:
    index = TargetIndex({1: rules(("include", "org", "x1"), ("include", "planet", 3)), 2: rules(("include", "org", 1))})
    assert index.match(ctx()) == {2}


def test_valid_rules_pass() -> None:
    validate_targets([{"mode": "include", "kind": "org", "ref": "1"}, TargetRule("exclude", "tag", "柜台")])


def test_validation_names_each_bad_rule_field() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_targets(
            [
                {"mode": "include", "kind": "org", "ref": "1"},
                {"mode": "maybe", "kind": "org", "ref": "2"},
                {"mode": "include", "kind": "planet", "ref": "3"},
                {"mode": "exclude", "kind": "hall", "ref": "abc"},
                {"mode": "exclude", "kind": "tag", "ref": " "},
            ]
        )
    assert set(caught.value.errors) == {"targets[1].mode", "targets[2].kind", "targets[3].ref", "targets[4].ref"}
    assert "planet" in caught.value.errors["targets[2].kind"]


@pytest.mark.parametrize("given", [[], [{"mode": "exclude", "kind": "org", "ref": "1"}]])
def test_at_least_one_include(given: list[dict[str, str]]) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_targets(given)
    assert "include" in caught.value.errors["targets"]
