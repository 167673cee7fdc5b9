"""How well the reader reads a folder of pages with gold records beside them.

Each `x.gold.json` describes the page `x.html` beside it (fixtures/SPEC.md says how). The page
is read under the URL its gold file names (`"url"`), else under the path it would have on the
real site. Four figures, each over every gold page in the folder:

- classification: pages whose kind (profile or other) is the gold's;
- scalar fields: (profile page, field) pairs right, for the fields the record declares compared
  with the gold (name, org_type, both dates, employees, inhabitants; the website by its host);
- item counts: (profile page, section) pairs, over the sections of the gold and of the record,
  whose number of items is exactly the gold's;
- regulations: micro-averaged F1 of the regulation codes over every page (a page read as a
  profile that is none offers nothing).

    python -m benchmarks.reading fixtures/site fixtures/blind    # one table per folder
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from wmkb.harvester.pipeline import record_from_page
from wmkb.harvester.record import FIELDS

SITE_ORIGIN = "https://www.werkenmantelzorg.nl/"
# The record's fields a gold file states one value of (harvester/record.py declares which are
# compared with the gold): all but the prose, the sections and the codes, which are figured
# apart.
SCALAR_FIELDS = tuple(
    field.name for field in FIELDS if field.gold and field.scalar and field.kind != "text"
)


@dataclass
class Scores:
    pages: int = 0
    classified: int = 0
    scalars: int = 0
    scalars_right: int = 0
    sections: int = 0
    sections_exact: int = 0
    true_codes: int = 0
    false_codes: int = 0
    missed_codes: int = 0
    misses: list[str] = field(default_factory=list)  # what went wrong, one line each

    @property
    def classification(self) -> float:
        return self.classified / self.pages if self.pages else 1.0

    @property
    def scalar_share(self) -> float:
        return self.scalars_right / self.scalars if self.scalars else 1.0

    @property
    def item_counts(self) -> float:
        return self.sections_exact / self.sections if self.sections else 1.0

    @property
    def regulation_f1(self) -> float:
        found = 2 * self.true_codes + self.false_codes + self.missed_codes
        return 2 * self.true_codes / found if found else 1.0

    def figures(self) -> dict[str, float | int]:
        return {
            "pages": self.pages,
            "classification": round(self.classification, 4),
            "scalar_fields": round(self.scalar_share, 4),
            "item_counts": round(self.item_counts, 4),
            "regulation_f1": round(self.regulation_f1, 4),
        }

    def add(self, other: Scores) -> Scores:
        """Both folders' pages as one set."""
        total = Scores()
        for name in (
            "pages",
            "classified",
            "scalars",
            "scalars_right",
            "sections",
            "sections_exact",
            "true_codes",
            "false_codes",
            "missed_codes",
        ):
            setattr(total, name, getattr(self, name) + getattr(other, name))
        total.misses = self.misses + other.misses
        return total


def gold_pages(folder: Path) -> list[tuple[Path, Path]]:
    """(gold file, page) for every gold file in the folder, in path order."""
    pairs = []
    for gold in sorted(folder.rglob("*.gold.json")):
        pairs.append((gold, gold.with_name(gold.name.removesuffix(".gold.json") + ".html")))
    return pairs


def page_url(gold: dict, page: Path, folder: Path) -> str:
    """The URL the page is read under: its gold's, else its path on the real site."""
    return gold.get("url") or SITE_ORIGIN + str(page.relative_to(folder))


def website_host(address: str | None) -> str | None:
    if not address:
        return None
    host = urlsplit(address if "://" in address else f"http://{address}").hostname or ""
    return host.removeprefix("www.") or None


def score_page(gold: dict, record: dict, label: str) -> Scores:
    """The figures of one page: `gold` as its gold file says, `record` as the reader read it."""
    scores = Scores(pages=1)
    if record["kind"] == gold["kind"]:
        scores.classified = 1
    else:
        scores.misses.append(f"{label}: read as {record['kind']}, is {gold['kind']}")
    read_profile = record["kind"] == "profile"
    expected_codes = set(gold.get("regulations", [])) if gold["kind"] == "profile" else set()
    codes = set(record.get("regulations", [])) if read_profile else set()
    scores.true_codes = len(codes & expected_codes)
    scores.false_codes = len(codes - expected_codes)
    scores.missed_codes = len(expected_codes - codes)
    if codes != expected_codes:
        scores.misses.append(
            f"{label}: regulations +{sorted(codes - expected_codes)} "
            f"-{sorted(expected_codes - codes)}"
        )
    if gold["kind"] != "profile":
        return scores
    for name in SCALAR_FIELDS:
        if name not in gold:
            continue
        scores.scalars += 1
        expected, found = gold[name], record.get(name) if read_profile else None
        if name == "website":
            expected, found = website_host(expected), website_host(found)
        if read_profile and expected == found:
            scores.scalars_right += 1
        else:
            scores.misses.append(f"{label}: {name} {found!r}, gold {expected!r}")
    expected_sections = gold.get("sections", {})
    sections = record.get("sections", {}) if read_profile else {}
    for key in sorted(set(expected_sections) | set(sections)):
        scores.sections += 1
        expected, found = len(expected_sections.get(key, [])), len(sections.get(key, []))
        if expected == found:
            scores.sections_exact += 1
        else:
            scores.misses.append(f"{label}: {key} {found} items, gold {expected}")
    return scores


def score_folder(folder: Path) -> Scores:
    """The reader's figures over every gold page under `folder`."""
    total = Scores()
    for gold_path, page in gold_pages(folder):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        record = record_from_page(page.read_bytes(), page_url(gold, page, folder)).as_json()
        total = total.add(score_page(gold, record, str(page.relative_to(folder))))
    return total


def table(results: Iterable[tuple[str, Scores]]) -> str:
    lines = [f"{'folder':<24}{'pages':>6}{'class.':>9}{'scalars':>9}{'items':>9}{'reg. F1':>9}"]
    for label, scores in results:
        lines.append(
            f"{label:<24}{scores.pages:>6}{scores.classification:>9.1%}"
            f"{scores.scalar_share:>9.1%}{scores.item_counts:>9.1%}{scores.regulation_f1:>9.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score the reader on folders of gold pages.")
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--misses", action="store_true", help="list what each page got wrong")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    results = []
    for folder in args.folders:
        if not folder.is_dir():
            print(f"reading: {folder} is not a folder", file=sys.stderr)
            return 2
        results.append((str(folder), score_folder(folder)))
    if len(results) > 1:
        combined = Scores()
        for _, scores in results:
            combined = combined.add(scores)
        results.append(("together", combined))
    if args.json:
        print(json.dumps({label: scores.figures() for label, scores in results}, indent=2))
    else:
        print(table(results))
    if args.misses:
        for label, scores in results[: len(args.folders)]:
            for miss in scores.misses:
                print(f"{label}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
