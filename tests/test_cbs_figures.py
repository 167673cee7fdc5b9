"""The CBS figures in a knowledge base follow the shipped file whenever its content differs,
not only when the number of rows does."""

from __future__ import annotations

from sqlalchemy import create_engine, delete, insert, select, update

from tests.conftest import run_cli
from wmkb.harvester.models import Municipality
from wmkb.harvester.municipalities import municipalities


def _figures(url: str) -> dict[str, tuple]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                Municipality.cbs_code,
                Municipality.name,
                Municipality.province,
                Municipality.inhabitants,
                Municipality.year,
            )
        )
        figures = {row.cbs_code: tuple(row) for row in rows}
    engine.dispose()
    return figures


def test_new_figures_for_the_same_municipalities_reach_the_database(new_kb) -> None:
    assert run_cli(["db", "upgrade"], new_kb).exit_code == 0
    shipped = {row.cbs_code: (row.cbs_code, row.name, row.province, row.inhabitants, row.year)
               for row in municipalities()}
    assert _figures(new_kb.db_url) == shipped
    # The database holds last year's figures: as many rows, other numbers, one row missing,
    # and a municipality the file no longer lists.
    engine = create_engine(new_kb.db_url)
    with engine.begin() as connection:
        connection.execute(update(Municipality).values(inhabitants=1, year=2024))
        connection.execute(delete(Municipality).where(Municipality.cbs_code == "GM1680"))
        connection.execute(
            insert(Municipality).values(
                cbs_code="GM0999", name="Opgeheven", province="Utrecht", inhabitants=5, year=2018
            )
        )
    engine.dispose()
    result = run_cli(["db", "upgrade"], new_kb)
    assert result.exit_code == 0, result.output
    assert _figures(new_kb.db_url) == {
        **shipped,
        "GM0999": ("GM0999", "Opgeheven", "Utrecht", 5, 2018),  # organisations may name it
    }
