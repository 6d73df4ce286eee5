"""Write fixtures/demo/telemetry/*.csv: 25 hours of 5-minute counter samples for the demo fleet.

Deterministic (a fixed seed), so the committed files can be re-made and compared. Each interface has a
story the telemetry rules and the report must tell (see STORIES); `truth()` gives the per-interval
rates the generator used, so tests can check the computed rates against them.

    python tests/telemetry/make_demo_series.py     # rewrites fixtures/demo/telemetry/
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "fixtures" / "demo" / "telemetry"
START = datetime(2026, 11, 25, 8, 0, tzinfo=timezone(timedelta(hours=8)))
STEP_S = 300
SAMPLES = 25 * 12 + 1           # 25 hours
PACKET_BYTES = 800
HEADER = ("time,device,interface,in_octets,out_octets,in_packets,out_packets,in_discards,out_discards,"
          "in_errors,out_errors,sys_uptime,counter_bits").split(",")
REBOOT_AT = 120                  # hz-acc-02 reboots just before sample 120 (10 h in), down 3 minutes
CLEAR_AT = 180                   # pc-hc13's counters cleared by an operator 100 s before sample 180

# (device, interface, hosted connection, mean in Mbit/s, mean out Mbit/s, counter bits, story)
STORIES = [
    ("hz-acc-01", "GigabitEthernet0/0/1.100", "pc-hc01", 120, 90, 64, "drops: 0.5% of inbound packets policed"),
    ("hz-acc-01", "GigabitEthernet0/0/1.101", "pc-hc02", 300, 620, 64, "above bandwidth: out ~620M on 500M"),
    ("hz-acc-01", "GigabitEthernet0/0/1.102", "pc-hc03", 8, 5, 64, "disabled, not shut: still passes traffic"),
    ("hz-acc-01", "XGigabitEthernet0/0/1.1000", "pc-hc04", 400, 350, 64, "normal"),
    ("hz-acc-01", "XGigabitEthernet0/0/1.200", "pc-hc06", 60, 50, 64, "normal"),
    ("hz-acc-02", "TenGigabitEthernet0/1/0.300", "pc-hc08", 500, 450, 64, "reboot of hz-acc-02"),
    ("hz-acc-02", "TenGigabitEthernet0/1/0.301", "pc-hc09", 172, 160, 64, "near bandwidth: p95 ~93% of 200M"),
    ("hz-acc-02", "TenGigabitEthernet0/1/0.302", "pc-hc10", 40, 30, 32, "32-bit counters that wrap, and the reboot"),
    ("sh-acc-01", "GigabitEthernet0/0/1", "pc-hc12", 100, 80, 64, "normal (VLAN 0: the whole port)"),
    ("sh-acc-01", "GigabitEthernet0/0/1.10", "pc-hc13", 200, 150, 64, "counters cleared by an operator"),
    ("sh-acc-01", "GigabitEthernet0/0/2", "pc-hc14", 50, 40, 64, "normal"),
    ("sh-acc-01", "GigabitEthernet0/0/1.11", "pc-hc15", 0, 0, 64, "counters never move"),
]
UPTIME_START = {"hz-acc-01": 812_345_600, "hz-acc-02": 455_000_000, "sh-acc-01": 1_203_400_000}


def _interval_rates(rng: np.random.Generator, mean_mbps: float) -> np.ndarray:
    """bit/s per interval: a daily curve around the mean with noise; steady for the 'near/above' stories."""
    hours = np.arange(SAMPLES - 1) * STEP_S / 3600
    shape = 1 + 0.08 * np.sin(2 * np.pi * (hours - 6) / 24)
    noise = rng.normal(1.0, 0.02, SAMPLES - 1)
    return np.maximum(0.0, mean_mbps * 1e6 * shape * noise)


def truth() -> dict[tuple[str, str], dict[str, np.ndarray]]:
    """(device, interface) -> per-interval in_bps, out_bps as generated (before any counter event)."""
    rng = np.random.default_rng(20261126)
    out = {}
    for device, interface, _hc, mean_in, mean_out, _bits, _story in STORIES:
        out[(device, interface)] = {"in_bps": np.round(_interval_rates(rng, mean_in) * STEP_S / 8) * 8 / STEP_S,
                                    "out_bps": np.round(_interval_rates(rng, mean_out) * STEP_S / 8) * 8 / STEP_S}
    return out


def rows() -> list[list]:
    rates = truth()
    rng = np.random.default_rng(7)
    table = []
    for device, interface, hc, _mi, _mo, bits, _story in STORIES:
        r = rates[(device, interface)]
        in_bytes = np.concatenate([[0], np.cumsum(r["in_bps"] * STEP_S / 8)]).astype(np.int64)
        out_bytes = np.concatenate([[0], np.cumsum(r["out_bps"] * STEP_S / 8)]).astype(np.int64)
        in_pk, out_pk = in_bytes // PACKET_BYTES, out_bytes // PACKET_BYTES
        drop_share = 0.005 if hc == "pc-hc01" else 0.0
        in_drop = (in_pk * drop_share).astype(np.int64)
        out_drop = np.zeros(SAMPLES, dtype=np.int64)
        base = [int(rng.integers(10**9, 10**12)) for _ in range(4)] if bits == 64 else \
               [int(rng.integers(0, 2**32)) for _ in range(4)]
        counters = np.stack([in_bytes + base[0], out_bytes + base[1], in_pk + base[2], out_pk + base[3],
                             in_drop, out_drop, np.zeros(SAMPLES, np.int64), np.zeros(SAMPLES, np.int64)])
        uptime = UPTIME_START[device] + np.arange(SAMPLES, dtype=np.int64) * STEP_S * 100
        if device == "hz-acc-02":   # reboot: counters restart at 0; the sample comes 120 s after it
            since = 120
            resume = (counters[:, REBOOT_AT] - counters[:, REBOOT_AT - 1]) * since // STEP_S
            counters[:, REBOOT_AT:] += (resume - counters[:, REBOOT_AT])[:, None]
            uptime[REBOOT_AT:] = since * 100 + np.arange(SAMPLES - REBOOT_AT) * STEP_S * 100
        if hc == "pc-hc13":         # an operator's `reset counters` 100 s before sample CLEAR_AT
            before, after = counters[:, CLEAR_AT - 1], counters[:, CLEAR_AT]
            at_clear = before + (after - before) * (STEP_S - 100) // STEP_S
            counters[:, CLEAR_AT:] -= at_clear[:, None]
        if bits == 32:
            counters %= 2**32
        for k in range(SAMPLES):
            when = (START + timedelta(seconds=k * STEP_S)).isoformat()
            table.append([when, device, interface, *(int(v) for v in counters[:, k]), int(uptime[k]), bits])
    table.sort(key=lambda row: (row[0], row[1], row[2]))
    return table


def render_by_device() -> dict[str, str]:
    """One CSV per device, as a collector writing per-device files would."""
    files: dict[str, io.StringIO] = {}
    for row in rows():
        buf = files.get(row[1])
        if buf is None:
            buf = files[row[1]] = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerow(HEADER)
        csv.writer(buf, lineterminator="\n").writerow(row)
    return {f"{device}.csv": buf.getvalue() for device, buf in files.items()}


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in render_by_device().items():
        (OUT_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote {OUT_DIR / name} ({len(text)} bytes)")


if __name__ == "__main__":
    main()
