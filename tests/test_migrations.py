"""The schema's revisions, on both backends: the models and the migrated schema agree, a
knowledge base of the first schema is upgraded without losing a row, and a database that this
program cannot use is refused in one line and left as it was."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, func, inspect, select, text
from sqlalchemy.orm import Session

from tests.conftest import lock_held_elsewhere, make_kb, run_cli
from wmkb.harvester import migrate
from wmkb.harvester.models import Base, Organisation, RefreshRun
from wmkb.harvester.municipalities import municipalities
from wmkb.harvester.store import open_database, upgrade_database

# The tables of revision 0001, parents before children.
FIRST_TABLES = (
    "kb_state",
    "refresh_runs",
    "organisations",
    "pages",
    "practices",
    "organisation_regulations",
    "changes",
    "fetch_failures",
)


def _at_revision(url: str, revision: str) -> None:
    engine = create_engine(url)
    migrate.upgrade(engine, to=revision)
    engine.dispose()


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return revision


def _columns(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    inspector = inspect(engine)
    columns = {
        table: [column["name"] for column in inspector.get_columns(table)]
        for table in inspector.get_table_names()
    }
    engine.dispose()
    return columns


def _rows(url: str, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """These columns of every row of these tables, sorted."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    rows = {}
    with engine.connect() as connection:
        for name, names in columns.items():
            table = metadata.tables[name]
            found = connection.execute(select(*(table.c[column] for column in names))).all()
            rows[name] = sorted((tuple(row) for row in found), key=repr)
    engine.dispose()
    return rows


def _dump(url: str) -> dict[str, list[tuple]]:
    return _rows(url, _columns(url))


def _copy_first_schema_rows(source_url: str, target_url: str) -> None:
    """Fill a database at revision 0001 with a refreshed knowledge base's rows, through SQL:
    the columns the first schema had, and nothing else."""
    source, target = create_engine(source_url), create_engine(target_url)
    old = MetaData()
    old.reflect(target)
    new = MetaData()
    new.reflect(source)
    with source.connect() as reading, target.begin() as writing:
        for name in FIRST_TABLES:
            columns = [column.name for column in old.tables[name].columns]
            rows = reading.execute(select(*(new.tables[name].c[c] for c in columns))).mappings()
            rows = [dict(row) for row in rows]
            if rows:
                writing.execute(old.tables[name].insert(), rows)
        if target.dialect.name == "postgresql":
            # Rows came with their ids: the sequences must go on after them.
            for name in FIRST_TABLES:
                if "id" in old.tables[name].columns and name != "kb_state":
                    writing.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"
                        )
                    )
    source.dispose()
    target.dispose()


def test_the_models_and_the_migrations_agree(new_kb) -> None:
    upgrade_database(new_kb.db_url)
    engine = create_engine(new_kb.db_url)
    with engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert drift == [], "harvester/models.py changed without a revision: see harvester/migrate.py"
    assert _revision(new_kb.db_url) == migrate.head()


def test_the_first_schema_is_upgraded_without_losing_anything(refreshed, new_kb) -> None:
    source, _ = refreshed
    kb = new_kb
    _at_revision(kb.db_url, "0001")
    _copy_first_schema_rows(source.db_url, kb.db_url)
    first = {table: names for table, names in _columns(kb.db_url).items() if table in FIRST_TABLES}
    assert set(first) == set(FIRST_TABLES)
    # Linking organisations to CBS gives them a new version of the knowledge base, so that the
    # index takes the links up; every other value stays as it was.
    kept = {**first, "organisations": [n for n in first["organisations"] if n != "version"]}
    del kept["kb_state"]
    before = _rows(kb.db_url, kept)
    versions = dict(_rows(kb.db_url, {"organisations": ["id", "version"]})["organisations"])
    ((_, kb_version),) = _rows(kb.db_url, {"kb_state": ["id", "version"]})["kb_state"]
    assert len(before["organisations"]) == 30 and len(before["practices"]) > 300
    assert before["changes"] and before["pages"] and before["organisation_regulations"]

    untouched = _rows(kb.db_url, first)
    result = run_cli(["stats"], kb)  # a read command changes nothing and says what to do
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert f"schema revision 0001, older than this wmkb's {migrate.head()}; run `wmkb db upgrade`" in (
        result.output
    )
    assert _rows(kb.db_url, first) == untouched
    assert _revision(kb.db_url) == "0001"

    result = run_cli(["db", "upgrade"], kb)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"from revision 0001 to revision {migrate.head()}\n")
    assert _revision(kb.db_url) == migrate.head()
    assert _rows(kb.db_url, kept) == before
    upgraded_versions = _rows(kb.db_url, {"organisations": ["id", "version"]})["organisations"]
    assert all(version in (versions[id_], kb_version + 1) for id_, version in upgraded_versions)
    assert _rows(kb.db_url, {"kb_state": ["version"]})["kb_state"] == [(kb_version + 1,)]
    assert len(_rows(kb.db_url, {"municipalities": ["cbs_code"]})["municipalities"]) == len(
        municipalities()
    )

    # The link to CBS is the one a refresh makes.
    upgraded = _links(kb.db_url)
    assert {slug: cbs for slug, (cbs, _) in upgraded.items()} == {
        slug: cbs for slug, (cbs, _) in _links(source.db_url).items()
    }
    assert any(cbs_code for cbs_code, _ in upgraded.values())

    stats = json.loads(run_cli(["stats", "--json"], kb).stdout)
    assert stats["organisations"] == 30 and stats["measures"] == len(before["practices"])


def _links(url: str) -> dict[str, tuple[str | None, str | None]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(Organisation.slug, Organisation.cbs_code, Organisation.province)
        ).all()
    engine.dispose()
    return {slug: (cbs_code, province) for slug, cbs_code, province in rows}


def test_a_refresh_upgrades_an_old_knowledge_base_first(refreshed, site, new_kb) -> None:
    source, _ = refreshed
    kb = new_kb
    _at_revision(kb.db_url, "0001")
    _copy_first_schema_rows(source.db_url, kb.db_url)
    result = run_cli(["refresh", "--site", site + "/", "--delay", "0", "--json"], kb)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["new"] == summary["withdrawn"] == summary["failed"] == 0
    assert _revision(kb.db_url) == migrate.head()
    shown = json.loads(run_cli(["show", "Gemeente Aa en Hunze", "--json"], kb).stdout)
    assert shown["status"] == "active" and shown["history"]


def test_a_knowledge_base_made_before_migrations_is_adopted(new_kb) -> None:
    kb = new_kb
    _at_revision(kb.db_url, "0001")
    engine = create_engine(kb.db_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))  # as wmkb made it before
    engine.dispose()
    assert "run `wmkb db upgrade`" in run_cli(["stats"], kb).output
    result = run_cli(["db", "upgrade"], kb)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"from revision 0001 to revision {migrate.head()}\n")
    assert _revision(kb.db_url) == migrate.head()
    result = run_cli(["db", "upgrade"], kb)
    assert result.output.endswith(f"is at schema revision {migrate.head()}: nothing to do\n")


def test_a_newer_database_is_refused_and_left_alone(new_kb, site) -> None:
    kb = new_kb
    upgrade_database(kb.db_url)
    engine = create_engine(kb.db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    before = _dump(kb.db_url)
    for args in (
        ["stats"],
        ["show", "Gemeente Aa en Hunze"],
        ["export"],
        ["db", "upgrade"],
        ["refresh", "--site", site + "/", "--delay", "0"],
    ):
        result = run_cli(args, kb)
        assert result.exit_code == 1, args
        assert result.output.count("\n") == 1, result.output
        assert "has schema revision 0099, newer than this wmkb knows" in result.output
    assert _dump(kb.db_url) == before


def test_no_upgrade_under_a_running_refresh(new_kb) -> None:
    _at_revision(new_kb.db_url, "0001")
    with lock_held_elsewhere(new_kb):
        result = run_cli(["db", "upgrade"], new_kb)
    assert result.exit_code == 75
    assert "another refresh is running" in result.output
    assert _revision(new_kb.db_url) == "0001"


def test_an_empty_database_is_made_by_db_upgrade(new_kb) -> None:
    result = run_cli(["db", "upgrade"], new_kb)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"from an empty database to revision {migrate.head()}\n")
    engine = open_database(new_kb.db_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Organisation)) == 0
    engine.dispose()


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    "args", [["stats"], ["show", "x"], ["export"], ["db", "upgrade"], ["refresh"]]
)
def test_a_database_that_cannot_be_used_gets_one_line(
    args, silent_server, site, tmp_path
) -> None:
    if args == ["refresh"]:
        args = ["refresh", "--site", site + "/"]  # a site that answers: the database fails
    closed = _closed_port()
    for url, exit_code, message in (
        (f"postgresql+psycopg://wmkb@127.0.0.1:{closed}/wmkb", 1, "Connection refused"),
        (
            f"postgresql+psycopg://wmkb@127.0.0.1:{silent_server}/wmkb?connect_timeout=2",
            1,
            "cannot",
        ),
        ("postgresql+psycopg://wmkb@127.0.0.1:port/wmkb", 2, "not a database URL"),
        ("nonsense://", 2, "database URL"),
    ):
        started = time.monotonic()
        result = run_cli([*args, "--db", url], make_kb(tmp_path))
        assert time.monotonic() - started < 10, url
        assert result.exit_code == exit_code, (url, result.output)
        assert result.output.count("\n") == 1, result.output
        assert message in result.output, result.output
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == [], "nothing is made for a database that cannot be used"


def test_a_missing_postgresql_database_gets_one_line(postgres, tmp_path) -> None:
    kb = make_kb(tmp_path)
    kb.db_url = postgres.url("wmkb_no_such_database")
    for args in (["stats"], ["db", "upgrade"]):
        result = run_cli(args, kb)
        assert result.exit_code == 1
        assert result.output.count("\n") == 1
        assert 'database "wmkb_no_such_database" does not exist' in result.output


def test_the_counts_of_runs_recorded_before_become_their_counters(new_kb) -> None:
    kb = new_kb
    _at_revision(kb.db_url, "0006")
    recorded = {
        "run_id": 1,
        **dict.fromkeys(("not_modified", "skipped", "new", "changed", "unchanged"), 0),
        **{"fetched": 40, "withdrawn": 0, "failed": 1, "doubts": 2},
        **{"duration_s": 3.2, "complete": True, "failures": 1},
        "counts": {"requests": 45, "robots_disallowed": 1, "failed/timeout": 1},
    }
    runs = [(1, "completed", json.dumps(recorded)), (2, "imported", '{"imported": true}')]
    engine = create_engine(kb.db_url)
    with engine.begin() as connection:
        for run_id, status, counts in runs:
            connection.execute(
                text(
                    "INSERT INTO refresh_runs (id, site, started_at, status, counts) "
                    "VALUES (:id, 'https://example.nl/', '2026-01-02 03:04:05', :status, :counts)"
                ),
                {"id": run_id, "status": status, "counts": counts},
            )
    engine.dispose()
    upgrade_database(kb.db_url)
    engine = create_engine(kb.db_url)
    with Session(engine) as session:
        found = {run.id: (run.counts, run.counters) for run in session.scalars(select(RefreshRun))}
    engine.dispose()
    assert found == {
        1: (
            runs[0][2],
            {
                "fetched": 40,
                "failed": 1,
                "doubts": 2,
                "requests": 45,
                "robots_disallowed": 1,
                "failed/timeout": 1,
            },
        ),
        2: (runs[1][2], None),
    }
