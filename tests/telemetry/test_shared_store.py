"""`--db postgresql://...` and `--shard i/n` from the command line: shards split the fleet by a stable hash,
disjoint and complete, and fill one store that reports read; bad arguments and an unreachable server are
one clear line, exit 2."""

from __future__ import annotations

import re

import pytest

from ecpartner.cli import main
from ecpartner.telemetry.poll import in_shard
from ecpartner.telemetry.store import Store

from helpers.demo import DEMO_SERIES
from helpers.rig import free_port


def _first_times(inventory, n_times: int) -> None:
    """Keep only the first `n_times` sample times of the demo series (quick)."""
    for path in (inventory.parent / "telemetry").glob("*.csv"):
        lines = path.read_text().splitlines(keepends=True)
        times = sorted({line.split(",")[0] for line in lines[1:]})[:n_times]
        path.write_text("".join(lines[:1] + [line for line in lines[1:] if line.split(",")[0] in times]))


def test_shards_split_the_fleet_disjointly_completely_and_stably():
    devices = [f"pe-{k:03d}" for k in range(300)]
    for n in (1, 2, 3, 7):
        owners = [[i for i in range(1, n + 1) if in_shard(d, (i, n))] for d in devices]
        assert all(len(o) == 1 for o in owners)                     # each device in exactly one shard
        if n > 1:
            sizes = [sum(o == [i] for o in owners) for i in range(1, n + 1)]
            assert min(sizes) > len(devices) / n / 2                # and none is left nearly empty
    # a stable hash (not Python's salted hash()): the same split on every machine and every run
    assert [i for i in (1, 2, 3) if in_shard("hz-acc-01", (i, 3))] == [1]   # sha256, first 8 bytes, mod n
    assert in_shard("anything", None)


def test_shards_fill_one_store_that_a_report_reads(demo_copy, store_at, capsys):
    _first_times(demo_copy, 3)
    for shard in ("1/2", "2/2"):
        for _ in range(3):
            assert main(["telemetry", "poll", str(demo_copy), "--db", str(store_at), "--shard", shard]) == 0
        assert "no sample time the store does not already hold" not in capsys.readouterr().err
        assert main(["telemetry", "poll", str(demo_copy), "--db", str(store_at), "--shard", shard]) == 0
        assert "no sample time the store does not already hold" in capsys.readouterr().err   # a re-run adds nothing
    with Store(store_at, create=False) as store:
        assert store.count() == 3 * DEMO_SERIES
        devices = {d for d, _ in store.load().series}
        polls = store.db.execute("SELECT count(*) FROM polls").fetchone()[0]
    assert polls == 6 and {d for d in devices if in_shard(d, (1, 2))} and {d for d in devices if in_shard(d, (2, 2))}
    code = main(["telemetry", "report", str(demo_copy), "--db", str(store_at), "--format", "csv"])
    out = capsys.readouterr().out
    assert code in (0, 1) and f"[source: store {store_at}" in out


@pytest.mark.parametrize("bad", ["0/2", "3/2", "x", "1/", "1/0"])
def test_a_bad_shard_is_a_usage_error(demo_copy, capsys, bad):
    with pytest.raises(SystemExit) as e:
        main(["telemetry", "poll", str(demo_copy), "--shard", bad])
    assert e.value.code == 2
    assert f"--shard: {bad!r} is not I/N with 1 <= I <= N" in capsys.readouterr().err


def test_an_unreachable_postgresql_store_is_one_line_without_its_password(demo_copy, capsys):
    url = f"postgresql://poller:s3cret@127.0.0.1:{free_port()}/telemetry"
    for argv in (["telemetry", "poll", str(demo_copy), "--db", url],
                 ["telemetry", "report", str(demo_copy), "--db", url, "--format", "csv"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.startswith("ecpartner:")]
        assert len(lines) == 1 and re.match(r"ecpartner: postgresql://poller:\*\*\*@127\.0\.0\.1:\d+/telemetry: "
                                            r"cannot open: ", lines[0]), err
        assert "s3cret" not in err and "Traceback" not in err
