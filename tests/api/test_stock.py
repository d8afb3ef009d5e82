"""Spare parts through the API: scan a part onto a work order, clear 4xx for what cannot be."""

from __future__ import annotations

from api.roles import Role
from tests.api.builders import auth, open_work_order
from tests.api.conftest import ApiWorld


def test_receive_scan_use_and_refuse_with_clear_messages(world: ApiWorld) -> None:
    client, keys = world.client, world.keys
    store = auth(keys[Role.operator])
    assert (
        client.post(
            "/api/v1/warehouses",
            json={"code": "van-ana", "name": "Van", "kind": "van"},
            headers=store,
        ).status_code
        == 201
    )
    part = {
        "part_number": "SKF-6205",
        "name": "Bearing",
        "barcode": "4006593001234",
        "asset_types": ["pump"],
    }
    assert client.post("/api/v1/parts", json=part, headers=store).status_code == 201
    again = client.post("/api/v1/parts", json=part, headers=store)
    assert again.status_code == 422
    assert "exists already" in again.json()["detail"]
    received = client.post(
        "/api/v1/stock/receipts",
        json={"warehouse": "van-ana", "part": "SKF-6205", "quantity": 1},
        headers=store,
    )
    assert received.status_code == 204, received.text

    wo = open_work_order(world.factory)
    use = f"/api/v1/work-orders/{wo.number}/parts/use"
    scanned = {"warehouse": "van-ana", "part": "4006593001234", "quantity": 1}
    assert client.post(use, json=scanned, headers=store).status_code == 204
    empty = client.post(use, json=scanned, headers=store)
    assert empty.status_code == 409
    assert "0 free there now" in empty.json()["detail"]
    unknown = client.post(use, json={**scanned, "part": "nope"}, headers=store)
    assert unknown.status_code == 404
    assert "no part with number or barcode" in unknown.json()["detail"]
    negative = client.post(use, json={**scanned, "quantity": -1}, headers=store)
    assert negative.status_code == 422
    viewer = client.post(use, json=scanned, headers=auth(keys[Role.viewer]))
    assert viewer.status_code == 403

    parts = client.get(f"/api/v1/work-orders/{wo.number}/parts", headers=auth(keys[Role.viewer]))
    assert [m["kind"] for m in parts.json()["moves"]] == ["consume"]
    levels = client.get("/api/v1/stock", params={"warehouse": "van-ana"}, headers=store).json()
    assert (levels[0]["on_hand"], levels[0]["free"]) == (0, 0)
    assert (
        client.get("/api/v1/parts/4006593001234", headers=store).json()["part_number"] == "SKF-6205"
    )
