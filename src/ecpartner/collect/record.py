"""The recording `ecpartner collect INVENTORY --record DIR` writes (commands/collect.py): a fixture fleet.

The layout is the contract's section 3 (inventory.yaml copied byte for byte, devices/<name>/<slug>.txt,
snmp/<name>.snmprec), so `ecpartner check DIR/inventory.yaml` replays the live run. A device that could
not be collected is left out (its replay then reports it unreachable, as the live run did) and the exit
code is 3. Secrets never reach a recorded file: credential lines are scrubbed and every literal
password/community/key value in play is replaced by `<removed>`.

A recording is those three entries and nothing else: everything else in DIR (a .git, notes, a telemetry
store, telemetry/*.csv) is never touched. The new recording is built in a temporary folder inside DIR
(so nothing is written outside it) and each entry is then renamed into place, the previous recording's
moved aside and deleted only once all are in (put back if a rename fails). Entries that are not an
earlier recording of ours make the command refuse before any device is contacted.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from ecpartner.collect.fixtures import command_slug
from ecpartner.atomic import write_text_atomic
from ecpartner.collect.snmprec import write_snmprec
from ecpartner.collect.ssh import hide_literals
from ecpartner.errors import InputError
from ecpartner.state import Collected

log = logging.getLogger(__name__)

RECORDING = ("inventory.yaml", "devices", "snmp")
MARKER = ".ecpartner-recording"   # beside them once written: the three entries are ours to replace next time


def check_target(target: Path, inventory_path: Path) -> None:
    """Refuse (InputError, exit 2) a DIR whose recording entries are not an earlier recording of ours."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise InputError(f"--record {target}: exists and is not a directory")
    present = [name for name in RECORDING if os.path.lexists(target / name)]
    if not present:
        return
    links = [name for name in present if (target / name).is_symlink()]
    if links:
        raise InputError(f"--record {target}: {links[0]} there is a symbolic link; refusing to replace it")
    if (target / MARKER).is_file() or _looks_recorded(target):
        return
    if present == ["inventory.yaml"] and _same_bytes(target / "inventory.yaml", inventory_path):
        return   # `--record .` beside the inventory itself
    raise InputError(f"--record {target}: {', '.join(present)} there is not an ecpartner recording; refusing to "
                     f"replace it (record into a new or empty directory)")


def _looks_recorded(target: Path) -> bool:
    """A recording made before the marker existed: devices/<name>/*.txt, snmp/*.snmprec, and nothing else."""
    devices, snmp = target / "devices", target / "snmp"
    if not (target / "inventory.yaml").is_file() or not devices.is_dir():
        return False
    device_dirs = list(devices.iterdir())
    if not all(d.is_dir() and not d.is_symlink() for d in device_dirs):
        return False
    if not all(f.suffix == ".txt" and f.is_file() and not f.is_symlink() for d in device_dirs for f in d.iterdir()):
        return False
    return not snmp.exists() or (snmp.is_dir() and all(
        f.suffix == ".snmprec" and f.is_file() and not f.is_symlink() for f in snmp.iterdir()))


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def write_fleet(target: Path, inventory_path: Path, results: dict[str, Collected], secrets: set[str]) -> None:
    """Write the recorded fleet into `target`, replacing an earlier recording's entries, touching nothing else."""
    target = Path(os.path.abspath(target))
    check_target(target, inventory_path)
    target.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".ecpartner-record-", dir=target))
    try:
        new, old = work / "new", work / "old"
        for folder in (new, old):
            folder.mkdir()
        shutil.copyfile(inventory_path, new / "inventory.yaml")
        (new / "devices").mkdir()
        for name, result in results.items():
            if result.error:
                continue
            device_dir = _inside(new, "devices", name)
            device_dir.mkdir()
            for command, output in result.outputs.items():  # credential lines: scrubbed by the collector already
                (device_dir / f"{command_slug(command)}.txt").write_bytes(hide_literals(output, secrets).encode("utf-8"))
            if result.snmp is not None:
                (new / "snmp").mkdir(exist_ok=True)
                write_snmprec(_inside(new, "snmp", f"{name}.snmprec"), result.snmp)
        # the marker first: it holds for the earlier entries too (check_target accepted them)
        write_text_atomic(target / MARKER, "Written by `ecpartner collect --record`: the next recording replaces "
                                           "inventory.yaml, devices/ and snmp/ here, and nothing else.\n")
        _swap_into_place(target, new, old)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _inside(root: Path, *parts: str) -> Path:
    """root/parts, refusing any name that would lead out of root (names are checked at load already)."""
    path = root.joinpath(*parts)
    if os.path.commonpath([os.path.abspath(path), str(root)]) != str(root) or any(p in ("", ".", "..") for p in parts):
        raise InputError(f"--record: {'/'.join(parts)!r} would be written outside the recording")
    return path


def _swap_into_place(target: Path, new: Path, old: Path) -> None:
    """Move the earlier recording's entries to `old`, the new ones into place; undo both on any failure."""
    moved, placed = [], []
    try:
        for name in RECORDING:
            if os.path.lexists(target / name):
                os.rename(target / name, old / name)
                moved.append(name)
        for name in RECORDING:
            if os.path.lexists(new / name):
                os.rename(new / name, target / name)
                placed.append(name)
    except BaseException:
        for name in placed:
            os.rename(target / name, new / name)
        for name in moved:
            os.rename(old / name, target / name)
        raise

