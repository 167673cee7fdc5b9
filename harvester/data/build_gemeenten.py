"""Rebuild gemeenten.csv from CBS open data: for maintainers, when CBS publishes new figures.

    python harvester/data/build_gemeenten.py --year 2026 > harvester/data/gemeenten.csv.new
    diff harvester/data/gemeenten.csv harvester/data/gemeenten.csv.new   # review, then move

It reads CBS's OData API (https://opendata.cbs.nl, CC BY 4.0, "Bron: CBS"):
- population on 1 January of the year: table 70072NED "Regionale kerncijfers Nederland",
  variable TotaleBevolking_1, regions GM…, period YEARJJ00;
- codes, names and provinces: the table "Gebieden in Nederland YEAR", found by its title in
  CBS's catalogue, its columns found by their titles in the table's DataProperties.
Names are written as CBS's list "Gemeenten alfabetisch" spells them: the suffixes StatLine and
PDOK add are taken off (see gemeenten.README.md, "Name variants").

It checks what gemeenten.README.md promises (GM codes, unique names, 12 provinces, every
municipality with a population, the sum equal to the Nederland total) and writes nothing when a
check fails. wmkb never runs it: the tests use the shipped file, and a knowledge base takes the
new figures at its next refresh or `wmkb db upgrade`.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys

import httpx

API = "https://opendata.cbs.nl/ODataApi/OData"
CATALOGUE = "https://opendata.cbs.nl/ODataCatalog/Tables?$format=json"
POPULATION_TABLE = "70072NED"
POPULATION = "TotaleBevolking_1"
# StatLine's and PDOK's names → the names of "Gemeenten alfabetisch" (gemeenten.README.md).
NAME_VARIANTS = {
    "Hengelo (O.)": "Hengelo",
    "Laren (NH.)": "Laren",
    "Rijswijk (ZH.)": "Rijswijk",
    "Middelburg (Z.)": "Middelburg",
    "Beek (L.)": "Beek",
    "Stein (L.)": "Stein",
}
PROVINCE_COUNT = 12
CODE = re.compile(r"GM\d{4}")


class BuildError(Exception):
    """CBS's answer is not what the CSV needs; the message says what."""


def _values(client: httpx.Client, url: str) -> list[dict]:
    rows: list[dict] = []
    while url:
        response = client.get(url)
        response.raise_for_status()
        page = response.json()
        rows.extend(page["value"])
        url = page.get("odata.nextLink") or ""
    return rows


def _plain_name(title: str) -> str:
    title = title.strip().removesuffix(" (gemeente)")
    return NAME_VARIANTS.get(title, title)


def _regions_table(client: httpx.Client, year: int) -> str:
    titles = {table["Title"]: table["Identifier"] for table in _values(client, CATALOGUE)}
    wanted = f"Gebieden in Nederland {year}"
    if wanted not in titles:
        raise BuildError(f"CBS's catalogue has no table {wanted!r} (yet)")
    return titles[wanted]


def _column(properties: list[dict], group: str, title: str) -> str:
    """The key of the column titled `title` under the group titled `group`."""
    groups = {item["ID"]: item["Title"] for item in properties if item["Type"] == "TopicGroup"}
    for item in properties:
        if item.get("Title") == title and groups.get(item.get("ParentID")) == group:
            return item["Key"]
    raise BuildError(f"no column {title!r} under {group!r} in the regions table")


def build(year: int) -> list[dict[str, str | int]]:
    """The rows of gemeenten.csv for `year`, checked; raises BuildError."""
    with httpx.Client(timeout=60, follow_redirects=True) as client:
        table = _regions_table(client, year)
        properties = _values(client, f"{API}/{table}/DataProperties?$format=json")
        code_key = _column(properties, "Gemeenten", "Code")
        name_key = _column(properties, "Gemeenten", "Naam")
        province_key = _column(properties, "Provincies", "Naam")
        regions = _values(client, f"{API}/{table}/TypedDataSet?$format=json")
        period = f"{year}JJ00"
        population = _values(
            client,
            f"{API}/{POPULATION_TABLE}/TypedDataSet?$format=json"
            f"&$filter=Perioden eq '{period}'&$select=RegioS,{POPULATION}",
        )
    inhabitants = {row["RegioS"].strip(): row[POPULATION] for row in population}
    rows = []
    for region in regions:
        code = region[code_key].strip()
        rows.append(
            {
                "cbs_code": code,
                "name": _plain_name(region[name_key]),
                "province": region[province_key].strip(),
                "inhabitants": inhabitants.get(code),
                "year": year,
            }
        )
    _check(rows, inhabitants.get("NL01"))
    return sorted(rows, key=lambda row: row["cbs_code"])


def _check(rows: list[dict], national_total: int | None) -> None:
    bad_codes = [row["cbs_code"] for row in rows if not CODE.fullmatch(row["cbs_code"])]
    if bad_codes:
        raise BuildError(f"codes that are not GM plus four digits: {bad_codes[:5]}")
    names = [row["name"] for row in rows]
    if len(set(names)) != len(names):
        raise BuildError("two municipalities share a name")
    provinces = {row["province"] for row in rows}
    if len(provinces) != PROVINCE_COUNT:
        raise BuildError(f"{len(provinces)} provinces instead of {PROVINCE_COUNT}")
    missing = [row["cbs_code"] for row in rows if row["inhabitants"] is None]
    if missing:
        raise BuildError(f"municipalities without a population: {missing[:5]}")
    total = sum(row["inhabitants"] for row in rows)
    if national_total is not None and total != national_total:
        raise BuildError(f"the municipalities add up to {total}, Nederland to {national_total}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, required=True, help="population on 1 January of")
    args = parser.parse_args(argv)
    try:
        rows = build(args.year)
    except (BuildError, httpx.HTTPError, KeyError, ValueError) as error:
        print(f"gemeenten.csv not rebuilt: {error}", file=sys.stderr)
        return 1
    writer = csv.DictWriter(
        sys.stdout,
        fieldnames=["cbs_code", "name", "province", "inhabitants", "year"],
        lineterminator="\n",
    )
    writer.writeheader()
    writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
