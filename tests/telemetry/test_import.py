"""`telemetry import INVENTORY [CSV...]`: a recorded series into the store in one command, in batches of whole
sample times, validated before anything is written; the store then judges exactly as the series does."""

from __future__ import annotations

import json
import re
import sqlite3

from ecpartner.cli import main
from ecpartner.inventory_loader import load_inventory
from ecpartner.telemetry.poll import import_series
from ecpartner.telemetry.store import Store


def _verdicts(capsys, inventory, source: str) -> list[tuple]:
    main(["telemetry", "report", str(inventory), "--format", "json", "--telemetry", source])
    doc = json.loads(capsys.readouterr().out)
    return [(f["rule"], f["status"], f["severity"], f["subject"]["hosted_connection"],
             re.sub(r" \[source: .*\]$", "", f["message"])) for f in doc["findings"]]


def test_import_loads_the_whole_day_and_the_store_judges_like_the_series(demo_copy, capsys):
    files = sorted((demo_copy.parent / "telemetry").glob("*.csv"))
    rows = sum(len(f.read_text().splitlines()) - 1 for f in files)
    assert main(["telemetry", "import", str(demo_copy)]) == 0
    db = demo_copy.parent / "telemetry.sqlite"
    assert f"telemetry import: {rows} samples stored in {db}, 0 already there, from {len(files)} files" \
        in capsys.readouterr().err
    with Store(db) as store:
        assert store.count() == rows
    assert _verdicts(capsys, demo_copy, "store") == _verdicts(capsys, demo_copy, "series")
    # a re-run adds nothing; one file named on the command line is all that is read
    assert main(["telemetry", "import", str(demo_copy), str(files[0])]) == 0
    assert f"0 samples stored in {db}, {len(files[0].read_text().splitlines()) - 1} already there, from 1 file" \
        in capsys.readouterr().err


def test_import_goes_in_batches_of_whole_sample_times(demo_copy):
    inventory = load_inventory(demo_copy)
    db = demo_copy.parent / "t.sqlite"
    with Store(db) as store:
        inserted, read, _ = import_series(inventory, store, batch_rows=1000)
        assert inserted == read == store.count()
    with sqlite3.connect(db) as con:
        batches = con.execute("SELECT inserted FROM polls WHERE source = 'import'").fetchall()
    times = 25 * 12 + 1
    assert len(batches) > 1 and sum(n for (n,) in batches) == read
    assert all(n % (read // times) == 0 for (n,) in batches)   # 27 series: never a sample time split in two


def test_a_bad_file_imports_nothing(demo_copy, capsys):
    good = sorted((demo_copy.parent / "telemetry").glob("*.csv"))[0]
    bad = demo_copy.parent / "bad.csv"
    lines = good.read_text().splitlines()
    bad.write_text("\n".join(lines[:3] + [lines[3].replace(",64", ",48")] + lines[4:]) + "\n")
    assert main(["telemetry", "import", str(demo_copy), str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: counter_bits: '48' is not 32 or 64" in err and "Traceback" not in err
    assert main(["telemetry", "import", str(demo_copy), str(demo_copy.parent / "nowhere.csv")]) == 2
    assert "nowhere.csv: no such file" in capsys.readouterr().err
    with Store(demo_copy.parent / "telemetry.sqlite") as store:
        assert store.count() == 0
