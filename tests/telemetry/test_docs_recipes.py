"""The scheduling recipes of docs/telemetry.md, taken from the document itself (so the two cannot drift):
its systemd units pass `systemd-analyze verify` (Debian package `systemd`; .ci/run installs it when absent),
and its crontab lines, run by /bin/sh with cron's environment and a stand-in `ecpartner`, print (so cron
mails) exactly when the exit code says there is a problem."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "telemetry.md"
INSTALLED = "/usr/local/bin/ecpartner"     # where the recipes expect the command
ENV_FILE = "/etc/ecpartner/env"
SECRET = "cron-comm-7731"
# Talks on stderr as ecpartner does on every run, exits with $FAKE_EXIT; like the real one it refuses a
# --live run whose secret is not in its environment (exit 2).
STAND_IN = """#!/bin/sh
echo "telemetry poll 2026-12-02T10:00:00Z: 26 samples stored, 0 problems (stand-in: $*)" >&2
case " $* " in *" --live "*)
  [ -n "$ECP_SNMP_COMMUNITY" ] || { echo "ecpartner: environment variable ECP_SNMP_COMMUNITY is not set" >&2; exit 2; } ;;
esac
exit "$FAKE_EXIT"
"""


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M)


def _units() -> dict[str, str]:
    """unit file name -> its text: each unit in the document starts with a `# /etc/systemd/system/NAME` line."""
    units: dict[str, str] = {}
    for block in _blocks("ini"):
        for name, text in re.findall(r"^# /etc/systemd/system/(\S+)\n(.*?)(?=^# /etc/systemd/system/|\Z)", block, re.S | re.M):
            units[name] = text
    return units


@pytest.fixture
def stand_in(tmp_path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ecpartner").write_text(STAND_IN)
    (bin_dir / "ecpartner").chmod(0o755)
    return bin_dir


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path, stand_in):
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: install the Debian package systemd (.ci/run does)"
    units = _units()
    assert set(units) == {"ecpartner-telemetry.service", "ecpartner-poll.service", "ecpartner-poll.timer"}
    for name, text in units.items():
        assert INSTALLED in text or name.endswith(".timer"), name
        # verify checks that ExecStart's program exists: the stand-in, where the unit says /usr/local/bin
        (tmp_path / name).write_text(text.replace(INSTALLED, str(stand_in / "ecpartner")))
    done = subprocess.run([analyze, "verify", *(str(tmp_path / name) for name in units)],
                          capture_output=True, text=True, timeout=120)
    # a warning (an inline comment read as a value, an unknown key) is printed while the exit code stays 0
    assert (done.returncode, done.stdout + done.stderr) == (0, ""), done.stdout + done.stderr


def _crontab() -> tuple[dict[str, str], list[str]]:
    """The document's crontab: its environment lines and the command of each job."""
    [block] = _blocks("cron")
    env, commands = {}, []
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            name, _, value = line.partition("=")
            env[name] = value
            continue
        fields = line.split(None, 5)
        assert len(fields) == 6, line
        commands.append(fields[5])
    return env, commands


def _run_as_cron(command: str, env: dict[str, str], stand_in: Path, env_file: Path, code: int) -> str:
    """What cron would mail: everything the job prints, run by /bin/sh in cron's bare environment."""
    path = env["PATH"].replace(str(Path(INSTALLED).parent), str(stand_in))
    done = subprocess.run(["/bin/sh", "-c", command.replace(ENV_FILE, str(env_file))],
                          env={"PATH": path, "HOME": str(env_file.parent), "SHELL": "/bin/sh", "FAKE_EXIT": str(code)},
                          capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def test_the_cron_lines_mail_exactly_when_the_exit_code_says_there_is_a_problem(tmp_path, stand_in):
    env, commands = _crontab()
    assert "@" in env.get("MAILTO", ""), "the crontab must say where cron mails"
    assert str(Path(INSTALLED).parent) in env["PATH"].split(":"), "cron's default PATH lacks /usr/local/bin"
    env_file = tmp_path / "env"
    env_file.write_text(f"ECP_SNMP_COMMUNITY={SECRET}\n")   # KEY=value, as systemd's EnvironmentFile reads it
    # per job: the exit codes that are problems (mailed) and those that are not (silent)
    expected = {"telemetry poll": ({3, 2, 1}, {0}), "--format html": ({1, 2}, {0}),
                "--format prometheus": ({2}, {0, 1})}
    assert len(commands) == len(expected)
    for command in commands:
        assert "%" not in command, "cron turns % into a newline"
        [(mailed, silent)] = [codes for key, codes in expected.items() if key in command]
        for code in silent:
            assert _run_as_cron(command, env, stand_in, env_file, code) == "", (command, code)
        for code in mailed:
            mail = _run_as_cron(command, env, stand_in, env_file, code)
            assert "stand-in:" in mail, (command, code, mail)       # ecpartner's own words reach the mail
            assert SECRET not in mail
            if "--format html" in command:
                assert "/var/lib/ecpartner/reports/daily.html" in mail   # where to look
            if "poll" in command:
                assert f"exit {code}" in mail and "is not set" not in mail   # the env file was exported
