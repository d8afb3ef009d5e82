"""Property-based tests of the whole OpenAPI document (schemathesis): whatever a client sends
within or around the schema, no 5xx and no response that breaks the documented schema."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.result import Ok

from api.roles import Role
from tests.api.builders import Fleet, auth, fire_alert, make_keys, open_work_order
from tests.api.conftest import build_world
from workorders.db import make_engine, session_factory

# Examples per operation: enough to hit boundaries and odd strings, small enough for ~1 min total.
EXAMPLES = 30


@pytest.mark.slow
def test_no_server_error_and_responses_match_the_schema(
    tmp_path: Path, sqlite_template: Path
) -> None:
    # A migrated database: work orders need the seeded SLA plans, requests the seeded rules.
    shutil.copy(sqlite_template, tmp_path / "vigil.db")
    factory = session_factory(make_engine(f"sqlite:///{tmp_path / 'vigil.db'}"))
    app, parts = build_world(tmp_path, factory=factory)
    Fleet().write(parts["store"])  # type: ignore[arg-type]
    keys = make_keys(parts["factory"])  # type: ignore[arg-type]
    fire_alert(parts["factory"])  # type: ignore[arg-type]
    open_work_order(parts["factory"], asset="pump-001")  # type: ignore[arg-type]
    app.state.fleet.refresh()
    # The live event stream never ends: it has its own tests.
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app).exclude(
        path="/api/v1/events"
    )
    failures: list[str] = []
    tested = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document itself must be valid
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            # Schema-valid requests may still break rules a schema cannot state (start before
            # end, allowed transitions): those 422s are right, so that one check is left out.
            case.call_and_validate(
                headers=auth(keys[Role.admin]), excluded_checks=[positive_data_acceptance]
            )

        try:
            check()
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {error}")
        tested += 1
    assert tested >= 30
    assert not failures, "\n\n".join(failures)


def test_the_document_is_complete(tmp_path: Path) -> None:
    app, _ = build_world(tmp_path)
    document = app.openapi()
    paths = document["paths"]
    for expected in (
        "/api/v1/assets",
        "/api/v1/assets/{asset}/telemetry",
        "/api/v1/assets/{asset}/scores",
        "/api/v1/alerts/{alert_id}/acknowledge",
        "/api/v1/silences",
        "/api/v1/quarantine",
        "/api/v1/quarantine/counts",
        "/api/v1/models",
        "/api/v1/work-orders",
        "/api/v1/work-orders/{ref}/transitions",
        "/api/v1/webhooks",
        "/api/v1/deliveries",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert expected in paths, expected
    schemes = document["components"]["securitySchemes"]
    assert {"HTTPBearer", "APIKeyHeader"} <= set(schemes)
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
