"""Fixtures: the mock terminal and acquirer (started from the image by testcontainers), a client
per topology, and a receiver for the async events and the print webhooks.

By default the session starts the image ``kushki-conformance:latest`` (``KUSHKI_IMAGE``
overrides it) with testcontainers-python. Run with ``TESTCONTAINERS_RYUK_DISABLED=true`` when the
Ryuk reaper image cannot be pulled (no registry): the container is still stopped at the end of
the session by the fixture itself.

To run against mocks that are already running (a ``kushki-conformance serve`` on this machine,
say), set both ``KUSHKI_POS_LAN_URL`` (the terminal, e.g. ``http://127.0.0.1:6868``) and
``KUSHKI_POS_CLOUD_URL`` (the acquirer, which is also the cloud relay, e.g.
``http://127.0.0.1:8080``); ``KUSHKI_POS_CALLBACK_HOST`` is the name under which the terminal
reaches this machine (``127.0.0.1`` by default in that mode, ``host.docker.internal`` with the
container).
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

import pytest
import requests

from kushki_pos import KushkiOneClient

IMAGE = os.environ.get("KUSHKI_IMAGE", "kushki-conformance:latest")
BUSINESS_CODE = os.environ.get("KUSHKI_BUSINESS_CODE", "BC-MOCK-0001")
SERIAL = os.environ.get("KUSHKI_SERIAL", "PB04209860189")

# The image's ports: the acquirer (raw API, cloud relay, admin) and the terminal.
ACQUIRER_HTTP, ACQUIRER_HTTPS, TERMINAL_HTTP, TERMINAL_HTTPS = 8080, 8443, 6868, 6869


@dataclass
class Mocks:
    """Where the mocks answer, seen from the tests, and how they reach the tests."""

    lan_url: str
    cloud_url: str
    callback_host: str
    lan_https_url: Optional[str] = None
    acquirer_https_url: Optional[str] = None
    container: object = None

    def terminal_admin(self, method: str, path: str, body: Optional[dict] = None) -> dict:
        return _admin(method, self.lan_url + path, body)

    def acquirer_admin(self, method: str, path: str, body: Optional[dict] = None) -> dict:
        return _admin(method, self.cloud_url + path, body)

    def reset(self) -> None:
        self.acquirer_admin("POST", "/__admin/reset")
        self.terminal_admin("POST", "/__admin/reset")

    def wait_cloud_link(self, timeout: float = 20.0) -> None:
        """The terminal links to the cloud relay after it starts; wait for that link."""
        deadline = time.monotonic() + timeout
        state: dict = {}
        while time.monotonic() < deadline:
            state = self.terminal_admin("GET", "/__admin/terminal")
            if state.get("cloud") == "online":
                return
            time.sleep(0.2)
        raise AssertionError(f"the terminal never linked to the cloud relay: {state}")


def _admin(method: str, url: str, body: Optional[dict] = None) -> dict:
    answer = requests.request(method, url, json=body, timeout=10)
    answer.raise_for_status()
    return answer.json() if answer.content else {}


def _image_exists(image: str) -> bool:
    import docker

    try:
        docker.from_env().images.get(image)
        return True
    except docker.errors.ImageNotFound:
        return False


@pytest.fixture(scope="session")
def mocks():
    lan, cloud = os.environ.get("KUSHKI_POS_LAN_URL"), os.environ.get("KUSHKI_POS_CLOUD_URL")
    if lan or cloud:
        if not (lan and cloud):
            pytest.fail("set both KUSHKI_POS_LAN_URL and KUSHKI_POS_CLOUD_URL, or neither")
        m = Mocks(
            lan_url=lan.rstrip("/"),
            cloud_url=cloud.rstrip("/"),
            callback_host=os.environ.get("KUSHKI_POS_CALLBACK_HOST", "127.0.0.1"),
            lan_https_url=os.environ.get("KUSHKI_POS_LAN_HTTPS_URL"),
            acquirer_https_url=os.environ.get("KUSHKI_POS_CLOUD_HTTPS_URL"),
        )
        m.wait_cloud_link()
        yield m
        return

    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import CompositeWaitStrategy, HttpWaitStrategy

    if not _image_exists(IMAGE):
        pytest.fail(
            f"the image {IMAGE} is not on this machine: build it (see the repository's README) "
            "or point KUSHKI_IMAGE at it, or set KUSHKI_POS_LAN_URL and KUSHKI_POS_CLOUD_URL "
            "to mocks that are already running"
        )
    container = (
        DockerContainer(IMAGE)
        .with_exposed_ports(ACQUIRER_HTTP, ACQUIRER_HTTPS, TERMINAL_HTTP, TERMINAL_HTTPS)
        # The terminal posts async events and print webhooks to this machine.
        .with_kwargs(extra_hosts={"host.docker.internal": "host-gateway"})
        .waiting_for(
            CompositeWaitStrategy(
                HttpWaitStrategy(ACQUIRER_HTTP, "/__admin/health").for_status_code(200),
                HttpWaitStrategy(TERMINAL_HTTP, "/__admin/health").for_status_code(200),
            ).with_startup_timeout(60)
        )
    )
    with container:
        host = container.get_container_host_ip()

        def url(scheme: str, port: int) -> str:
            return f"{scheme}://{host}:{container.get_exposed_port(port)}"

        m = Mocks(
            lan_url=url("http", TERMINAL_HTTP),
            cloud_url=url("http", ACQUIRER_HTTP),
            callback_host=os.environ.get("KUSHKI_POS_CALLBACK_HOST", "host.docker.internal"),
            lan_https_url=url("https", TERMINAL_HTTPS),
            acquirer_https_url=url("https", ACQUIRER_HTTPS),
            container=container,
        )
        m.wait_cloud_link()
        yield m


@pytest.fixture
def reset(mocks):
    """Every test starts from a fresh ledger, journal, card reader, printer and clock."""
    mocks.reset()
    yield mocks
    mocks.reset()


@pytest.fixture(params=["lan", "cloud"])
def via(request):
    return request.param


@pytest.fixture
def client(reset, via):
    """The POS client of one topology: the terminal on the LAN, or the cloud relay."""
    base = reset.lan_url if via == "lan" else reset.cloud_url
    return KushkiOneClient(base, BUSINESS_CODE, SERIAL, via=via, timeout=30)


class EventsReceiver:
    """A tiny HTTP server on 0.0.0.0:<free port> that queues every JSON POST by path."""

    def __init__(self, callback_host: str):
        self._queues: dict[str, queue.Queue] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"unparsable": raw.decode("utf-8", "replace")}
                # Queue before answering: the terminal sends the next event only after this
                # one's 200, so the queue keeps the order in which they were sent.
                receiver._queue(self.path).put(body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("0.0.0.0", 0), Handler)
        self.port = self.server.server_address[1]
        self.base_url = f"http://{callback_host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _queue(self, path: str) -> queue.Queue:
        with self._lock:
            return self._queues.setdefault(path, queue.Queue())

    def url(self, path: str) -> str:
        """The URL the terminal posts to (``path`` starts with ``/``)."""
        return self.base_url + path

    def next(self, path: str, timeout: float = 20.0) -> dict:
        """The next body posted to ``path``; fails the test after ``timeout`` seconds."""
        try:
            return self._queue(path).get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"nothing reached {self.url(path)} within {timeout} s"
            ) from None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(mocks):
    r = EventsReceiver(mocks.callback_host)
    yield r
    r.close()
