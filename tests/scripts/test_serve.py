"""scripts/serve, the container's entrypoint, run for real: it refuses unsafe settings with a
readable line, and otherwise migrates a fresh database and serves a production backend whose
health and readiness probes answer, and whose event socket admits the loopback origin of the
port it was given (issue 12: development defaults follow the configured ports).

``--backend-only`` keeps it fast: building the frontend is what the browser tests cover."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "scripts" / "serve"
STARTUP_TIMEOUT_S = 120
_INHERITED = ("PROJECTHUB_", "REFLEX_", "GRANIAN_", "PROMETHEUS_")


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED)}
    return {
        **env,
        "PATH": str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "PROJECTHUB_SECRET_KEYS": os.environ["PROJECTHUB_SECRET_KEYS"],
        "PROJECTHUB_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "REFLEX_WEB_WORKDIR": str(tmp_path / "web"),
        "REFLEX_STATES_WORKDIR": str(tmp_path / "states"),
        "REFLEX_UPLOADED_FILES_DIR": str(tmp_path / "uploads"),
        **extra,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_refuses_unsafe_production_settings_in_one_readable_line(tmp_path):
    env = _environment(tmp_path, PROJECTHUB_SECRET_KEYS="not-a-key",
                       PROJECTHUB_ALLOWED_ORIGINS="https://hub.example")
    result = subprocess.run([str(SERVE)], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "refusing to start: PROJECTHUB_SECRET_KEYS: each key must be the base64url encoding "
        "of 32 random bytes (see README, Deploying)")
    assert "not-a-key" not in result.stderr + result.stdout
    assert not (tmp_path / "serve.db").exists()  # nothing migrated

    del env["PROJECTHUB_SECRET_KEYS"]
    result = subprocess.run([str(SERVE)], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 1
    assert "refusing to start: unsafe production settings: PROJECTHUB_SECRET_KEYS must be set" \
        in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp_path = tmp_path_factory.mktemp("serve")
    port = _free_port()
    log = tmp_path / "serve.log"
    env = _environment(tmp_path, PROJECTHUB_ENV="development", PROJECTHUB_HOST="127.0.0.1",
                       PROJECTHUB_PORT=str(port), GRANIAN_WORKERS="1")
    with log.open("wb") as out:
        process = subprocess.Popen([str(SERVE), "--backend-only"], env=env, cwd=ROOT, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _answers(url + "/api/v1/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"scripts/serve did not come up:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_serve_migrates_and_serves_a_ready_backend(served):
    url, _ = served
    ready = httpx.get(url + "/api/v1/ready", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["migrations"]["ok"]


def test_the_event_socket_admits_the_loopback_origin_of_the_served_port(served):
    url, log = served
    assert _websocket_handshake(url, origin=url) == 101
    assert _websocket_handshake(url, origin="http://localhost:3000") == 403
    assert "Refused the event socket from origin 'http://localhost:3000': add the origin to " \
           "PROJECTHUB_ALLOWED_ORIGINS" in log.read_text()


def _websocket_handshake(url: str, *, origin: str) -> int:
    """The status a browser's websocket handshake to Reflex's event socket gets."""
    address = httpx.URL(url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
               f"Host: {address.host}:{address.port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n")
    with socket.create_connection((address.host, address.port or 80), timeout=10) as sock:
        sock.sendall(request.encode())
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])
