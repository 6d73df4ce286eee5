"""The demo fleet live on 127.0.0.1: its devices served (FakeNOS answering devices/, snmpsim serving snmp/,
whose counters grow: tests/telemetry/make_demo_snmprec.py) and `ecpartner telemetry run --live` polling
them. `make demo-live` runs main(); tests/live/test_demo_telemetry_live.py asserts on the same run.

    PYTHONPATH=tests .venv/bin/python -m helpers.demo_live [--polls 4] [--every 5s] [--listen 127.0.0.1:9717]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ecpartner
from helpers.demo import DEMO, DEMO_ENV
from helpers.rig import serve_fleet

POLL_LINE = "telemetry poll "    # what `telemetry run` prints to stderr after every poll


@contextlib.contextmanager
def served_demo(workdir: Path):
    """Serve the demo fleet on 127.0.0.1; yields the copy of its inventory that points at the servers."""
    secrets = (DEMO_ENV["ECP_USERNAME"], DEMO_ENV["ECP_PASSWORD"], DEMO_ENV["ECP_SNMP_COMMUNITY"])
    with serve_fleet(DEMO, workdir, *secrets) as (inventory, _devices, _agents):
        yield inventory


def _ecpartner_env() -> dict[str, str]:
    """The environment of an `ecpartner` subprocess: the demo's secrets, and this ecpartner importable."""
    here = str(Path(ecpartner.__file__).parents[1])
    return {**os.environ, **DEMO_ENV, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}


def telemetry_run(inventory: Path, db: Path, log: Path, polls: int, every: str = "5s", listen: str | None = None,
                  echo: bool = False) -> int:
    """Run `ecpartner telemetry run INVENTORY --live` until it has polled `polls` times, then stop it as
    systemd would (SIGTERM); its exit code. Its stderr goes to `log` (and to ours with `echo`). Raises
    RuntimeError, with the end of the log, when it ends early or a poll does not come."""
    argv = [sys.executable, "-m", "ecpartner", "telemetry", "run", str(inventory), "--live", "--every", every,
            "--db", str(db), "--timeout", "10", *(["--listen", listen] if listen else [])]
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, env=_ecpartner_env(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    shown, seen, last_progress = 0, 0, time.monotonic()
    try:
        while seen < polls:
            text = log.read_text(errors="replace")
            lines = text[:text.rfind("\n") + 1].splitlines()    # whole lines only
            if echo and lines[shown:]:
                print(*lines[shown:], sep="\n", file=sys.stderr)
                shown = len(lines)
            count = sum(line.startswith(POLL_LINE) for line in lines)
            if count > seen:
                seen, last_progress = count, time.monotonic()
            elif proc.poll() is not None or time.monotonic() - last_progress > 120:
                why = f"exited with {proc.returncode}" if proc.poll() is not None else "made no poll for 120 s"
                raise RuntimeError(f"telemetry run {why} after {seen} polls:\n" + "\n".join(lines[-30:]))
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description="Serve the demo fleet on 127.0.0.1 and poll it live.")
    parser.add_argument("--polls", type=int, default=4)
    parser.add_argument("--every", default="5s")
    parser.add_argument("--listen", default="127.0.0.1:9717", help="where telemetry run serves its metrics")
    args = parser.parse_args()
    logging.disable(logging.ERROR)   # the SSH servers' own chatter about closed sessions
    workdir = Path(tempfile.mkdtemp(prefix="ecpartner-demo-live-"))
    db = workdir / "telemetry.sqlite"
    print(f"serving the demo fleet on 127.0.0.1 (FakeNOS, snmpsim); {args.polls} polls every {args.every}, "
          f"metrics on http://{args.listen}/metrics while it runs", file=sys.stderr)
    try:
        with served_demo(workdir) as inventory:
            code = telemetry_run(inventory, db, workdir / "telemetry-run.log", args.polls, args.every, args.listen,
                                 echo=True)
    except RuntimeError as e:   # the run ended early (e.g. --listen's port taken): its own words, shown above, say why
        print(f"demo-live: {str(e).splitlines()[0]}", file=sys.stderr)
        return 1
    print(f"telemetry run stopped (exit {code}); the rates it stored in {db}:", file=sys.stderr)
    # the demo's own inventory: its recorded configurations name the same interfaces the live run sampled
    report = [sys.executable, "-m", "ecpartner", "telemetry", "report", str(DEMO / "inventory.yaml"), "--db", str(db),
              "--since", "1h", "--format", "markdown"]
    shown = subprocess.run(report, env=_ecpartner_env())
    # the demo breaks rules on purpose: a report with error findings (exit 1) is the expected outcome
    return 0 if code == 143 and shown.returncode in (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
