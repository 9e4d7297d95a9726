"""The EU emblem is drawn from its official geometric description (Implementing Reg. (EU)
No 763/2014, Annex): a 3:2 blue rectangle, twelve upright five-pointed gold stars at the hours of a
clock face, on a circle of radius 1/3 of the height; each star's points on a circle of radius 1/18."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from support import PROJECT

SVG = "{http://www.w3.org/2000/svg}"
TOLERANCE = 0.002   # the points are written with three decimals, on a height of hundreds of units


@pytest.fixture(scope="module")
def emblem() -> ET.Element:
    return ET.parse(PROJECT / "static" / "emblema-ue.svg").getroot()


def view_box(emblem: ET.Element) -> tuple[float, float, float, float]:
    x, y, width, height = (float(v) for v in emblem.get("viewBox").split())
    return x, y, width, height


def stars(emblem: ET.Element) -> list[list[tuple[float, float]]]:
    found = []
    for polygon in emblem.iter(f"{SVG}polygon"):
        found.append([tuple(float(v) for v in pair.split(",")) for pair in polygon.get("points").split()])
    return found


def test_a_blue_rectangle_three_by_two(emblem):
    x, y, width, height = view_box(emblem)
    assert width == pytest.approx(1.5 * height)
    assert float(emblem.get("width")) == pytest.approx(1.5 * float(emblem.get("height")))
    rect = emblem.find(f"{SVG}rect")
    assert rect.get("fill").upper() == "#003399"
    assert (float(rect.get("x", 0)), float(rect.get("y", 0))) == (x, y)
    assert (float(rect.get("width")), float(rect.get("height"))) == (width, height)


def test_twelve_gold_stars_and_nothing_else(emblem):
    shapes = [child for child in emblem.iter() if child.tag in (f"{SVG}polygon", f"{SVG}path", f"{SVG}circle",
                                                               f"{SVG}image", f"{SVG}text", f"{SVG}use")]
    assert len(shapes) == 12 and all(s.tag == f"{SVG}polygon" for s in shapes)
    groups = [g for g in emblem.iter(f"{SVG}g") if g.find(f"{SVG}polygon") is not None]
    assert [g.get("fill").upper() for g in groups] == ["#FFCC00"]
    assert all(p.get("fill") is None for p in emblem.iter(f"{SVG}polygon"))


def star_centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def test_each_star_is_a_regular_upright_five_pointed_star_of_radius_one_eighteenth(emblem):
    _, _, _, height = view_box(emblem)
    outer = height / 18
    inner = outer * math.cos(math.radians(72)) / math.cos(math.radians(36))   # a regular pentagram's
    for points in stars(emblem):
        assert len(points) == 10
        cx, cy = star_centre(points)
        for index, (px, py) in enumerate(points):
            radius = outer if index % 2 == 0 else inner
            angle = math.radians(36 * index)   # clockwise from straight up, every 36 degrees
            assert px == pytest.approx(cx + radius * math.sin(angle), abs=TOLERANCE)
            assert py == pytest.approx(cy - radius * math.cos(angle), abs=TOLERANCE)
        top = min(points, key=lambda p: p[1])
        assert top[0] == pytest.approx(cx, abs=TOLERANCE)   # one point straight up


def test_the_stars_sit_at_the_hours_of_a_clock_on_a_circle_of_one_third_of_the_height(emblem):
    x, y, width, height = view_box(emblem)
    middle = (x + width / 2, y + height / 2)   # where the diagonals cross
    hours = []
    for points in stars(emblem):
        cx, cy = star_centre(points)
        dx, dy = cx - middle[0], cy - middle[1]
        assert math.hypot(dx, dy) == pytest.approx(height / 3, abs=TOLERANCE)
        angle = math.degrees(math.atan2(dx, -dy)) % 360   # clockwise from 12 o'clock
        hour = round(angle / 30) % 12
        assert angle == pytest.approx(hour * 30, abs=0.01) or angle == pytest.approx(360, abs=0.01)
        hours.append(hour)
    assert sorted(hours) == list(range(12))
