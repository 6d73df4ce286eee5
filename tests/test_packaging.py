"""Vendor knowledge ships inside the wheel: an installed package finds templates/ without the source tree."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_wheel_carries_templates_and_finds_them_without_the_checkout(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("ecpartner-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for platform in ("huawei", "cisco_ios"):
        assert f"ecpartner/templates/{platform}/commands.yaml" in names
        assert any(n.startswith(f"ecpartner/templates/{platform}/parse/") for n in names)
        assert f"ecpartner/templates/{platform}/render/create.j2" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # run from the unpacked wheel only (isolated from the editable install), on a recorded fleet
    code = ("import json, ecpartner.platforms as p;"
            "print(json.dumps([str(p.templates_dir()), p.platforms(), p.platform_spec('huawei').config_command]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}).stdout
    templates, platforms, command = json.loads(out)
    assert Path(templates) == site / "ecpartner" / "templates"
    assert {"huawei", "cisco_ios"} <= set(platforms) and command == "display current-configuration"
