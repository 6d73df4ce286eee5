"""What the progress display of a live run costs: the events of --devices devices (each a connect, two
commands, an SNMP walk, the two halves ending) from --workers threads at once, as collect_live sends them,
heard by nobody (`none`), by the plain lines of a log (`plain`), or by the rich display on a terminal
(`live`: its frames written to /dev/null, which is told to be a terminal). Time it as a whole process, one
display against `none` in turn:

    python bench/bench_progress.py --display live [--devices 20000] [--workers 20]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ecpartner.collect.progress import FleetProgress  # noqa: E402
from ecpartner.commands.progress import device_progress  # noqa: E402


class _Terminal:
    """/dev/null, said to be a terminal: the display draws every frame and nobody reads them."""

    def __init__(self):
        self.file = open("/dev/null", "w")

    def isatty(self) -> bool:
        return True

    def __getattr__(self, name):
        return getattr(self.file, name)


def one_device(fleet: FleetProgress, name: str) -> None:
    fleet.step(name, "snmp", "snmp")
    fleet.step(name, "ssh", "connect")
    fleet.step(name, "ssh", "command 'display current-configuration'")
    fleet.step(name, "ssh", "command 'display interface'")
    fleet.half_done(name, "snmp")
    fleet.finish(name, "ssh: timed out" if name.endswith("7") else None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--display", choices=("none", "plain", "live"), required=True)
    parser.add_argument("--devices", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=20)
    args = parser.parse_args()
    stream = _Terminal() if args.display == "live" else open("/dev/null", "w")
    started = time.perf_counter()
    with device_progress(stream) as shown:
        fleet = FleetProgress(None if args.display == "none" else shown, args.devices)
        with ThreadPoolExecutor(args.workers) as pool:
            list(pool.map(lambda n: one_device(fleet, f"hz-acc-{n:05d}"), range(args.devices)))
    seconds = time.perf_counter() - started
    print(f"{args.display}: {args.devices} devices, {6 * args.devices} events in {seconds:.2f}s "
          f"({seconds / (6 * args.devices) * 1e6:.1f} us per event; {threading.active_count()} threads left)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
