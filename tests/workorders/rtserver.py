"""A real Request Tracker 5 for the tests: Debian's ``rt-server`` (Plack standalone) on a free
port, on a copy of the SQLite database that ``rt5-db-sqlite`` installs, so every test session
starts from a clean RT (user root, password password). Started once per session; a test may stop
and start it again on the same port and database (RT down for a while)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import unavailable
from vigil.embedded import free_port

RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
# Where rt5-db-sqlite's dbconfig-common puts the initialised database (RT_SiteConfig.d/51-...).
PACKAGED_DB = Path("/var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb")
USER, PASSWORD = "root", "password"
START_TIMEOUT_S = 60.0

# RT checks the password of every REST 2 request with basic auth by bcrypt at the cost it was
# hashed with: 12 in the packaged database, about 1 s a request on this machine. The copy's root
# password is hashed again at cost 4 (BcryptCost below) before the server starts.
REHASH_ROOT = (
    'RT::LoadConfig(); RT::Init(); my $u = RT::User->new(RT->SystemUser); $u->Load("root");'
    ' my ($ok, $msg) = $u->SetPassword("password"); die "$msg\\n" unless $ok;'
)

# RT reads $RT_SITE_CONFIG instead of /etc/request-tracker5/RT_SiteConfig.pm and the files of
# $RT_SITE_CONFIG_DIR instead of RT_SiteConfig.d/: this file replaces the packaged settings.
SITE_CONFIG = """
Set($rtname, 'vigil-test');
Set($Organization, 'vigil-test');
Set($Timezone, 'UTC');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{db}');
Set($WebPath, '');
Set($WebDomain, '127.0.0.1');
Set($WebPort, {port});
Set($WebBaseURL, 'http://127.0.0.1:{port}');
Set($LogToSyslog, undef);
Set($LogToFile, undef);
Set($LogToSTDERR, 'warning');
Set($MasonDataDir, '{home}/mason');
Set($BcryptCost, 4);
1;
"""


class RtServer:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        shutil.copy(PACKAGED_DB, home / "rtdb")
        (home / "RT_SiteConfig.d").mkdir()
        (home / "RT_SiteConfig.pm").write_text(
            SITE_CONFIG.format(db=home / "rtdb", port=self.port, home=home)
        )
        self._proc: subprocess.Popen[bytes] | None = None
        self.env = os.environ | {
            "RT_SITE_CONFIG": str(self.home / "RT_SiteConfig.pm"),
            "RT_SITE_CONFIG_DIR": str(self.home / "RT_SiteConfig.d"),
        }
        lib = RT_SERVER.parents[1] / "lib"
        subprocess.run(
            ["perl", f"-I{lib}", "-MRT", "-e", REHASH_ROOT],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        env = self.env
        log = (self.home / "rt-server.log").open("ab")
        # A session of its own: rt-server forks workers, stopped together by the group's id.
        self._proc = subprocess.Popen(
            [str(RT_SERVER), "--port", str(self.port)],
            cwd=self.home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"rt-server exited; see {self.home / 'rt-server.log'}")
            try:
                if self.get("/queues/all").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"rt-server did not answer within {START_TIMEOUT_S} s")

    def stop(self) -> None:
        if self._proc is None:
            return
        with_group = self._proc.pid
        try:
            os.killpg(with_group, signal.SIGTERM)
            self._proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(with_group, signal.SIGKILL)
            self._proc.wait(timeout=5)
        self._proc = None

    # --- REST 2 as an RT user would use it (the tests' view of RT, not the connector's) ---

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(
            f"{self.url}/REST/2.0{path}", params=params, auth=(USER, PASSWORD), timeout=10
        )

    def send(self, method: str, path: str, body: Any) -> Any:
        response = httpx.request(
            method, f"{self.url}/REST/2.0{path}", json=body, auth=(USER, PASSWORD), timeout=10
        )
        assert response.is_success, response.text
        return response.json()

    def tickets(self, query: str) -> list[dict[str, Any]]:
        fields = "Subject,Status,Queue,Priority,CustomFields"
        response = self.get("/tickets", query=query, fields=fields, per_page="100")
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


@pytest.fixture(scope="session")
def rt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RtServer]:
    """One Request Tracker for the whole test session, on a fresh copy of the packaged database."""
    if not RT_SERVER.is_file() or not PACKAGED_DB.is_file():
        unavailable(
            "Request Tracker 5: apt-get install request-tracker5 rt5-standalone rt5-db-sqlite"
        )
    server = RtServer(tmp_path_factory.mktemp("rt"))
    server.start()
    yield server
    server.stop()
