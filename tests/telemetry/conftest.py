from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "fixtures" / "demo"


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    """A writable copy of the demo fleet (inventory, recordings, telemetry series); returns the inventory."""
    fleet = tmp_path / "fleet"
    shutil.copytree(DEMO, fleet, ignore=shutil.ignore_patterns("*.sqlite*", "telemetry-reports"))
    return fleet / "inventory.yaml"


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server on 127.0.0.1 for the session; the tests that need it skip, loudly, only
    when it cannot be started (not installed)."""
    from helpers.postgres import PostgresServer

    server = PostgresServer()
    why = server.start()
    try:
        yield server, why
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_at(request, tmp_path):
    """Where a new, empty store goes: an SQLite file, or a PostgreSQL database on the session's server."""
    if request.param == "sqlite":
        return tmp_path / "t.sqlite"
    server, why = request.getfixturevalue("postgres")
    if why:
        pytest.skip(f"NO POSTGRESQL STORE TESTS: {why}")
    return server.new_database()
