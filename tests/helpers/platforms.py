"""The per-platform test data under tests/platforms/<platform>/: every folder there is a platform under test.

- `lab.yaml`: render ports, how a device applies pasted configuration, the live lab device;
- `parse/<command slug>/<case>.txt` + `<case>.expected.yaml`: parser cases of one command;
- `render/base.cfg` (a running configuration, `{port}` the circuit port) and `render/<case>.cfg` (goldens);
  a device family other than router (lab.yaml `render.families`) has its own in `render/<family>/`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from ecpartner.collect.fixtures import command_slug
from ecpartner.platforms import platform_spec

PLATFORMS_DIR = Path(__file__).resolve().parents[1] / "platforms"
PLATFORMS = tuple(sorted(p.name for p in PLATFORMS_DIR.iterdir() if (p / "lab.yaml").is_file()))


@cache
def lab(platform: str) -> dict:
    return yaml.safe_load((PLATFORMS_DIR / platform / "lab.yaml").read_text(encoding="utf-8"))


def config_command(platform: str) -> str:
    return platform_spec(platform).config_command


def families(platform: str) -> list[str]:
    """The device families the platform renders differently (lab.yaml render.families; default: router only)."""
    return list(lab(platform)["render"].get("families", ["router"]))


PLATFORM_FAMILIES = tuple((p, f) for p in PLATFORMS for f in families(p))


def render_dir(platform: str, family: str = "router") -> Path:
    """Where a family's render data lives: render/ for router, render/<family>/ for the others."""
    folder = PLATFORMS_DIR / platform / "render"
    return folder if family == "router" else folder / family


def base_config(platform: str, port: str, family: str = "router") -> str:
    """A realistic running configuration with the circuit on `port` (the family's own base.cfg when it has one)."""
    path = render_dir(platform, family) / "base.cfg"
    if not path.is_file():
        path = render_dir(platform) / "base.cfg"
    return path.read_text(encoding="utf-8").replace("{port}", port)


def parse_cases() -> list[Path]:
    """Every parser case, parse/<command slug>/<case>.txt, of every platform."""
    return sorted(PLATFORMS_DIR.glob("*/parse/*/*.txt"))


def config_cases() -> list[Path]:
    """The parser cases of each platform's configuration command (a whole running configuration each)."""
    return [c for c in parse_cases() if c.parent.name == command_slug(config_command(case_platform(c)))]


def case_platform(case: Path) -> str:
    return case.parents[2].name


def case_id(case: Path) -> str:
    return f"{case_platform(case)}/{case.parent.name}/{case.stem}"


def case_text(platform: str, case: str) -> str:
    """A parser case's device output by its name under parse/: `<command slug>/<case>`."""
    return (PLATFORMS_DIR / platform / "parse" / f"{case}.txt").read_text(encoding="utf-8")
