"""The overview's numbers and the geometry of its charts, drawn by the template as inline SVG
(no script, no file from another host): bars for categories, columns for years.

Geometry is computed here, as plain numbers a test can check, so the template only places them:

    >>> chart = bar_chart([("Gemeente", 13), ("Zorg en welzijn", 4)])
    >>> [bar.width for bar in chart.bars]
    [380.0, 116.9]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from wmkb.harvester import vocabulary
from wmkb.harvester.export import organisation_rows
from wmkb.harvester.municipalities import PROVINCES
from wmkb.web import labels

BAR_WIDTH = 380.0  # px, the longest bar
LABEL_WIDTH = 190.0  # px left of the bars for their labels
ROW_HEIGHT = 26.0  # px per bar
COLUMN_AREA_HEIGHT = 160.0  # px, the tallest column
COLUMN_WIDTH = 44.0  # px per year, gap included: room for "2019" and a gap to the next
UNKNOWN = "onbekend"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    caption: str = ""  # the value as shown, where it is not the plain count ("12,3%")


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    baseline: float = 0.0  # y of the axis under the columns
    target_y: float | None = None  # y of the target's line across the columns
    target_caption: str = ""  # the target as shown ("60,0%")


@dataclass(frozen=True)
class Overview:
    organisations: int  # recognised now (withdrawn ones are not counted)
    by_type: list[tuple[str, int]]
    by_province: list[tuple[str, int]]  # the known provinces; the unknown ones apart
    unknown_province: int  # organisations whose province neither CBS nor the page gives
    by_year: list[tuple[str, int]]
    by_regulation: list[tuple[str, int]]

    def rows(self) -> Iterable[dict]:
        """The counts as one table, for the CSV download."""
        for chart, counts in (
            ("soort", self.by_type),
            ("provincie", self.by_province),
            ("erkend_in", self.by_year),
            ("regeling", self.by_regulation),
        ):
            for label, value in counts:
                yield {"grafiek": chart, "waarde": label, "organisaties": value}
            if chart == "provincie" and self.unknown_province:
                yield {"grafiek": chart, "waarde": UNKNOWN, "organisaties": self.unknown_province}


def overview(engine: Engine) -> Overview:
    """Counts over the organisations recognised now."""
    types: Counter[str] = Counter()
    provinces: Counter[str] = Counter()
    years: Counter[int] = Counter()
    regulations: Counter[str] = Counter()
    codes = list(vocabulary.regulations().labels)
    total = 0
    for row in organisation_rows(engine):
        if row["status"] != "active":
            continue
        total += 1
        types[row["org_type"]] += 1
        provinces[row["province"] or UNKNOWN] += 1
        if row["recognised_since"]:
            years[int(row["recognised_since"][:4])] += 1
        regulations.update(code for code in codes if row[code])
    span = range(min(years), max(years) + 1) if years else range(0)
    return Overview(
        organisations=total,
        by_type=[(labels.org_type(t), types[t]) for t in vocabulary.ORG_TYPES if types[t]],
        # "Unknown" is no province: a bar of it would dwarf the ones the chart is about.
        by_province=sorted(
            ((p, provinces[p]) for p in PROVINCES if provinces[p]),
            key=lambda item: -item[1],
        ),
        unknown_province=provinces[UNKNOWN],
        by_year=[(str(year), years[year]) for year in span],  # a year without any shows as 0
        by_regulation=sorted(
            ((labels.regulation(code), regulations[code]) for code in codes),
            key=lambda item: -item[1],
        ),
    )


def bar_chart(counts: list[tuple[str, int]]) -> Chart:
    """Horizontal bars, one row per label, the longest BAR_WIDTH."""
    top = max((value for _, value in counts), default=0) or 1
    bars = [
        Bar(
            label=label,
            value=value,
            x=LABEL_WIDTH,
            y=index * ROW_HEIGHT,
            width=round(BAR_WIDTH * value / top, 1),
            height=ROW_HEIGHT - 6,
        )
        for index, (label, value) in enumerate(counts)
    ]
    return Chart(width=LABEL_WIDTH + BAR_WIDTH + 50, height=len(counts) * ROW_HEIGHT, bars=bars)


def column_chart(counts: list[tuple[str, int]]) -> Chart:
    """Vertical columns, one per label (years), the tallest COLUMN_AREA_HEIGHT; room above
    each for its value and below the axis for its label."""
    top = max((value for _, value in counts), default=0) or 1
    baseline = COLUMN_AREA_HEIGHT + 20
    bars = []
    for index, (label, value) in enumerate(counts):
        height = round(COLUMN_AREA_HEIGHT * value / top, 1)
        bars.append(
            Bar(
                label=label,
                value=value,
                x=index * COLUMN_WIDTH + 6,
                y=baseline - height,
                width=COLUMN_WIDTH - 12,
                height=height,
            )
        )
    return Chart(
        width=max(len(counts), 1) * COLUMN_WIDTH, height=baseline + 36, bars=bars, baseline=baseline
    )


def share_chart(shares: list[tuple[str, int, float]], target: float) -> Chart:
    """Columns of a share per year (label, count, share: the municipalities recognised at its
    end), drawn to the scale of the target, whose line runs across them: the distance still to
    go stays in sight."""
    top = max([target, *(share for _, _, share in shares)])
    baseline = COLUMN_AREA_HEIGHT + 20
    bars = []
    for index, (label, value, share) in enumerate(shares):
        height = round(COLUMN_AREA_HEIGHT * share / top, 1)
        bars.append(
            Bar(
                label=label,
                value=value,
                x=index * COLUMN_WIDTH + 4,
                y=baseline - height,
                width=COLUMN_WIDTH - 8,
                height=height,
                caption=labels.percent(share),
            )
        )
    return Chart(
        width=max(len(shares), 1) * COLUMN_WIDTH,
        height=baseline + 36,
        bars=bars,
        baseline=baseline,
        target_y=round(baseline - COLUMN_AREA_HEIGHT * target / top, 1),
        target_caption=labels.percent(target),
    )
