"""Real servers started as child processes on free ports: for `vigil demo`, the tests and bench.

Each handle can be stopped, killed (SIGKILL) and restarted on the same port and data directory,
which is what the fault tests need.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx


class ServerUnavailable(RuntimeError):
    """A server could not be started; the message says what to install or check."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServerUnavailable(f"process exited with code {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise ServerUnavailable(f"nothing listened on 127.0.0.1:{port} within {timeout:.0f}s")


@dataclass
class ChildServer:
    name: str
    argv: list[str]
    port: int
    workdir: Path
    ready: Any = None  # callable(handle) -> None, raises until ready
    # Run as this user (PostgreSQL refuses to run as root).
    user: str | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        # The child runs with this as its working directory: every path it is given
        # (its config, its data) must not depend on ours.
        self.workdir = self.workdir.resolve()

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def start(self, timeout: float = 30.0) -> ChildServer:
        log = self.log_path.open("ab")
        as_user: dict[str, Any] = {}
        if self.user is not None and os.geteuid() == 0:
            as_user = {"user": self.user, "group": self.user, "extra_groups": []}
        self.proc = subprocess.Popen(
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            start_new_session=True,
            **as_user,
        )
        try:
            wait_for_port(self.port, timeout, self.proc)
            if self.ready is not None:
                self.ready(self, timeout)
        except ServerUnavailable as error:
            self.stop()
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise ServerUnavailable(
                f"{self.name}: {error}\n--- {self.log_path} ---\n{tail}"
            ) from None
        return self

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def restart(self, timeout: float = 30.0) -> ChildServer:
        self.stop()
        return self.start(timeout)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def mosquitto_config(port: int, data_dir: Path, extra: str = "") -> str:
    """A test and demo broker config. Queue limits are raised on purpose.

    Stock Mosquitto drops QoS 1 messages for a subscriber whose queue passes
    ``max_queued_messages`` (1000): a collector that falls behind for a moment would lose data.
    ``0`` means no limit, so the broker holds messages for the collector's session instead.
    """
    # Started as root, Mosquitto drops to the `mosquitto` user, which cannot write into a
    # private temporary directory: persistence would then silently never be saved.
    stay_root = os.geteuid() == 0 and not re.search(r"^user\s", extra, re.MULTILINE)
    return (
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous true\n"
        "persistence true\n"
        f"persistence_location {data_dir}/\n"
        "autosave_interval 1\n"
        "max_queued_messages 0\n"
        "max_inflight_messages 0\n"
        "max_packet_size 33554432\n"
        "persistent_client_expiration 1d\n" + ("user root\n" if stay_root else "") + extra
    )


def mosquitto(workdir: Path, port: int | None = None, extra_conf: str = "") -> ChildServer:
    binary = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if binary is None:
        raise ServerUnavailable(
            "mosquitto is not installed: on Debian/Ubuntu `apt-get install -y mosquitto`, "
            "elsewhere see https://mosquitto.org/download/"
        )
    port = port or free_port()
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "mosquitto.conf"
    conf.write_text(mosquitto_config(port, workdir, extra_conf))
    return ChildServer("mosquitto", [binary, "-c", str(conf)], port, workdir)


def _influx_ready(server: ChildServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{server.port}/ping", timeout=1).status_code == 204:
                return
        time.sleep(0.1)
    raise ServerUnavailable("influxd did not answer /ping")


def influxd(workdir: Path, port: int | None = None) -> ChildServer:
    binary = shutil.which("influxd") or (
        "/usr/bin/influxd" if Path("/usr/bin/influxd").exists() else None
    )
    if binary is None:
        raise ServerUnavailable(
            "influxd is not installed: on Debian/Ubuntu `apt-get install -y influxdb` "
            "(InfluxDB 1.x), elsewhere see https://docs.influxdata.com/influxdb/v1/"
        )
    port = port or free_port()
    rpc_port = free_port()
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "influxdb.conf"
    conf.write_text(
        "reporting-disabled = true\n"
        f'bind-address = "127.0.0.1:{rpc_port}"\n'
        f'[meta]\n  dir = "{workdir}/meta"\n'
        f'[data]\n  dir = "{workdir}/data"\n  wal-dir = "{workdir}/wal"\n'
        '  wal-fsync-delay = "0s"\n  query-log-enabled = false\n'
        "[monitor]\n  store-enabled = false\n"
        "[subscriber]\n  enabled = false\n"
        f'[http]\n  bind-address = "127.0.0.1:{port}"\n  log-enabled = false\n'
        "  max-body-size = 0\n"
        '[logging]\n  level = "warn"\n  suppress-logo = true\n'
    )
    return ChildServer("influxd", [binary, "-config", str(conf)], port, workdir, _influx_ready)


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise ServerUnavailable(
            f"PostgreSQL's {name} is not installed: on Debian/Ubuntu `apt-get install -y postgresql`"
        )
    return found[-1]


def postgres(workdir: Path, port: int | None = None) -> ChildServer:
    """A private PostgreSQL cluster (trust auth, user postgres) that a test may stop and restart.

    As root the server runs as the ``postgres`` system user, which must own its directory.
    """
    port = port or free_port()
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / "data"
    user = None
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            raise ServerUnavailable("as root, PostgreSQL needs a 'postgres' system user") from None
        user = "postgres"
        os.chown(workdir, account.pw_uid, account.pw_gid)
        workdir.chmod(0o700)
    if not data.exists():
        initdb = [_postgres_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
        result = subprocess.run(
            initdb,
            capture_output=True,
            text=True,
            check=False,
            user=user,
            group=user,
            extra_groups=[] if user else None,
        )
        if result.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {result.stderr[-1000:]}")
    argv = [
        _postgres_bin("postgres"),
        "-D", str(data),
        "-p", str(port),
        "-c", "listen_addresses=127.0.0.1",
        "-c", f"unix_socket_directories={workdir}",
        "-c", "fsync=on",
    ]  # fmt: skip
    return ChildServer("postgres", argv, port, workdir, _postgres_ready, user)


def _postgres_ready(server: ChildServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check = subprocess.run(
            [_postgres_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(server.port)],
            check=False,
        )
        if check.returncode == 0:
            return
        time.sleep(0.1)
    raise ServerUnavailable("postgres did not accept connections")


class AmqttBroker:
    """amqtt in a background thread: the demo's broker when mosquitto is not installed.

    amqtt speaks MQTT 3.1.1 only and carries a few thousand messages per second.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._broker: Any = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 20.0) -> AmqttBroker:
        self._thread = threading.Thread(target=self._run, name="amqtt", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout):
            raise ServerUnavailable("amqtt did not start")
        if self._error is not None:
            raise ServerUnavailable(f"amqtt failed to start: {self._error}")
        return self

    def _run(self) -> None:
        from amqtt.broker import Broker

        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{self.port}"}},
            "sys_interval": 0,
            "auth": {"allow-anonymous": True, "plugins": ["auth_anonymous"]},
            "topic-check": {"enabled": False},
        }
        try:
            self._broker = Broker(config, loop=loop)
            loop.run_until_complete(self._broker.start())
        except BaseException as error:  # reported to start(), which raises it
            self._error = error
            self._started.set()
            return
        self._started.set()
        loop.run_forever()

    def stop(self) -> None:
        if self._loop is None or self._broker is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop)
        with contextlib.suppress(Exception):
            future.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
