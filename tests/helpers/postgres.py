"""A real PostgreSQL server for the store tests: initdb into a temporary folder, listening on 127.0.0.1 on
a free port, stopped at the end of the session. The server refuses to run as root: as root (CI) it runs
as the `postgres` user the Debian package creates. `.ci/run` installs the package when it is absent."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from helpers.rig import free_port

USER = "ecpartner"


def _binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


class PostgresServer:
    """start() -> None when it runs, or why it cannot (for a loud skip)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="ecpartner-pg-"))
        self.port = free_port()
        self.bin = _binaries()
        self.as_user: list[str] = []
        self._databases = 0

    def _run(self, *argv: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *argv], capture_output=True, text=True, timeout=120, **kwargs)

    def start(self) -> str | None:
        if self.bin is None:
            return "PostgreSQL is not installed (Debian package `postgresql`; .ci/run installs it)"
        if os.geteuid() == 0:
            if shutil.which("runuser") is None or subprocess.run(["id", "postgres"], capture_output=True).returncode:
                return "running as root and there is no `postgres` user to run the server as"
            shutil.chown(self.dir, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        data = self.dir / "data"
        init = self._run(str(self.bin / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
                         "--no-sync")
        if init.returncode:
            return f"initdb failed: {init.stderr.strip()[-400:]}"
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        started = self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-o", options,
                            "-w", "-t", "60", "start")
        if started.returncode:
            return f"pg_ctl start failed: {started.stderr.strip()[-400:]} {self._log()}"
        return None

    def _log(self) -> str:
        try:
            return (self.dir / "log").read_text()[-400:]
        except OSError:
            return ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database."""
        import psycopg

        self._databases += 1
        name = f"t{self._databases}_{int(time.time() * 1000) % 10**6}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        if self.bin is not None and (self.dir / "data" / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
