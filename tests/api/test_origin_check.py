"""The event socket from an origin that is not allowed is refused with a message naming the
setting to change (issue 12); development allows the loopback origins of Reflex's ports."""

from __future__ import annotations

import logging

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from projecthub.api.origin_check import with_origin_check
from projecthub.core.config import Settings, settings


async def _echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


def _inner() -> Starlette:
    ok = PlainTextResponse("ok")
    return Starlette(routes=[WebSocketRoute("/_event/", _echo),
                             Route("/_event/", lambda _request: ok),
                             Route("/other", lambda _request: ok)])


@pytest.fixture
def server(monkeypatch) -> TestClient:
    monkeypatch.setattr(settings, "ALLOWED_ORIGINS", ["https://hub.example"])
    return TestClient(with_origin_check(_inner()))


def test_an_allowed_origin_reaches_the_event_socket(server):
    with server.websocket_connect("/_event/", headers={"origin": "https://hub.example"}) as ws:
        assert ws.receive_text() == "hello"


def test_a_foreign_origin_is_refused_naming_the_setting(server, caplog):
    caplog.set_level(logging.WARNING, "projecthub.origins")
    with pytest.raises(WebSocketDisconnect) as refused, server.websocket_connect(
            "/_event/", headers={"origin": "http://localhost:4000"}):
        pass
    assert refused.value.code == 1008
    polling = server.get("/_event/?EIO=4&transport=polling",
                         headers={"origin": "http://localhost:4000"})
    assert polling.status_code == 403
    assert "PROJECTHUB_ALLOWED_ORIGINS" in polling.text
    [record] = caplog.records  # reported once per origin
    assert "'http://localhost:4000'" in record.getMessage()
    assert "PROJECTHUB_ALLOWED_ORIGINS" in record.getMessage()


def test_other_paths_are_left_to_cors(server):
    assert server.get("/other", headers={"origin": "http://localhost:4000"}).status_code == 200


def test_development_allows_the_loopback_origins_of_the_configured_ports(monkeypatch):
    monkeypatch.delenv("PROJECTHUB_ALLOWED_ORIGINS", raising=False)
    monkeypatch.setenv("PROJECTHUB_ENV", "development")
    monkeypatch.setenv("REFLEX_FRONTEND_PORT", "4100")
    monkeypatch.setenv("REFLEX_BACKEND_PORT", "4100")  # --env prod: one port
    assert Settings().origins == ["http://localhost:4100", "http://127.0.0.1:4100"]
    monkeypatch.delenv("REFLEX_FRONTEND_PORT")
    monkeypatch.delenv("REFLEX_BACKEND_PORT")
    assert Settings().origins == ["http://localhost:3000", "http://127.0.0.1:3000",
                                  "http://localhost:8000", "http://127.0.0.1:8000"]
