"""Peak memory of `ecpartner check` on the synthetic fleet (issue 14.6), beside its time.

python bench/bench_memory.py [--runs 3] [--scale 1 2] [--formats json table]
Builds fleets with make_fleet.py (scale 1 = 100 devices, 200 circuits, 20,000 hosted connections) and runs
the CLI in a fresh process per run, one after the other (never two at once: they would share the machine);
peak RSS is the child's ru_maxrss. Medians of --runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_fleet import build  # noqa: E402


def one_run(inventory: Path, fmt: str, out: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one `check` in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src"))
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:        # the child: exec the CLI, so its ru_maxrss is the check's alone
        os.execve(sys.executable, [sys.executable, "-m", "ecpartner", "check", str(inventory), "--format", fmt,
                                   "--output", str(out)], env)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, 1), f"check exited {code}"
    return elapsed, usage.ru_maxrss // 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--formats", nargs="+", default=["json", "table"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scale:
            fleet = Path(tmp) / f"fleet{scale}"
            build(fleet, 100 * scale, 2, 20_000 * scale)
            for fmt in args.formats:
                runs = [one_run(fleet / "inventory.yaml", fmt, Path(tmp) / f"report.{fmt}") for _ in range(args.runs)]
                times, peaks = [r[0] for r in runs], [r[1] for r in runs]
                print(f"scale {scale} ({20_000 * scale:,} connections) --format {fmt}: "
                      f"peak RSS {statistics.median(peaks)} MB ({', '.join(map(str, peaks))}), "
                      f"{statistics.median(times):.1f} s ({', '.join(f'{t:.1f}' for t in times)}), "
                      f"load average {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
