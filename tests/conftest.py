"""Fixtures shared across the test folders."""

from __future__ import annotations

import os
import tempfile
import uuid

import pytest
import sqlalchemy as sa

# Tests, and the notebooks nbval runs in kernels that inherit this environment, never write to
# the trainer's results database (csat-results.sqlite in the project folder, or CSAT_DB_URL).
os.environ["CSAT_DB_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='csat-tests-')}/results.sqlite"


@pytest.fixture
def pg_schema_url():
    """A private, empty schema on the PostgreSQL server named by ``CSAT_TEST_PG_URL``, as an
    SQLAlchemy URL whose search path points at it; dropped afterwards. Skips without a server
    (``.ci/run`` starts one, and CI fails where it is missing)."""
    base = os.environ.get("CSAT_TEST_PG_URL")
    if not base:
        pytest.skip("set CSAT_TEST_PG_URL to a PostgreSQL database to run this test")
    schema = f"csat_test_{uuid.uuid4().hex[:12]}"  # generated, so safe to splice into DDL
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    scoped = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    yield scoped.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def run_async():
    """Run a coroutine to its end and return its result, in a thread of its own: a browser test
    run before on the same worker leaves Playwright's event loop running in this one, where
    ``asyncio.run`` refuses to start."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    def run(coroutine):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coroutine).result()

    return run
