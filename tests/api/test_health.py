from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.metrics import ApiMetrics
from api.roles import Role
from tests.api.builders import auth, make_keys
from tests.api.conftest import ApiWorld, build_world


def test_healthz_needs_no_key(world: ApiWorld) -> None:
    assert world.client.get("/healthz").json() == {"status": "ok"}


def test_readyz_names_what_is_unreachable(world: ApiWorld) -> None:
    ok = world.client.get("/readyz")
    assert ok.status_code == 200
    assert ok.json() == {"ready": True, "checks": {"store": "ok", "database": "ok"}}

    def broker_down() -> None:
        raise ConnectionRefusedError("connection refused by 127.0.0.1:1883")

    world.app.state.probes["broker"] = broker_down
    down = world.client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["checks"]["broker"].startswith("unreachable: connection refused")
    assert down.json()["checks"]["store"] == "ok"


def test_metrics_in_prometheus_format(world: ApiWorld) -> None:
    assert world.client.get("/metrics").status_code == 401
    world.client.get("/api/v1/assets", headers=auth(world.keys[Role.viewer]))
    text = world.client.get("/metrics", headers=auth(world.keys[Role.viewer])).text
    assert (
        'vigil_http_request_duration_seconds_count{method="GET",route="/api/v1/assets",status="200"} 1.0'
        in text
    )
    assert "# TYPE vigil_quarantined_messages gauge" in text


def test_metrics_read_the_running_parts(tmp_path: Path) -> None:
    app, parts = build_world(tmp_path)
    stats = {"readings_per_s": 812.5, "ingest_lag_s": 0.4, "readings_stored_total": 1200}
    app.state.metrics = ApiMetrics(stats=[lambda: stats])
    key = make_keys(parts["factory"])[Role.viewer]  # type: ignore[arg-type]
    with TestClient(app) as client:
        text = client.get("/metrics", headers=auth(key)).text
    assert "vigil_ingest_readings_per_second 812.5" in text
    assert "vigil_ingest_lag_seconds 0.4" in text
    assert "vigil_readings_stored_total 1200.0" in text


def test_pages_and_api_docs_load_nothing_from_the_internet(world: ApiWorld) -> None:
    docs = world.client.get("/api/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert world.client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    login = world.client.get("/login")
    for page in (docs.text, login.text):
        for marker in ('src="http', 'href="http', "url: 'http", "cdn."):
            assert marker not in page
