"""A telemetry window: the samples of the last `since` before the newest one, turned into rates and
per-hosted-connection statistics. This is what `check` puts in `ctx.telemetry` and what reports show.

A hosted connection's samples are found by (device, interface): the circuit's device, and for VLAN 0
the circuit's interface itself; otherwise the subinterface a parsed device state says carries that
dot1q VLAN on the circuit port, or by default the platform's conventional name (commands.yaml `naming`; a
subinterface numbered differently from its VLAN needs the device state or `interface_names`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd

from ecpartner.inventory import Circuit, HostedConnection, Inventory
from ecpartner.placement import Placement, Placements
from ecpartner.telemetry import rates as R
from ecpartner.telemetry.series import Samples, empty_frame, read_csv_files
from ecpartner.telemetry.sources import sample_source
from ecpartner.telemetry.store import Store
from ecpartner.telemetry.timeutil import parse_duration


@dataclass
class ConnectionStats:
    """Numbers over the window's usable intervals; None where there were none."""
    samples: int = 0
    intervals: int = 0                                   # usable (status ok)
    dropped: dict[str, int] = field(default_factory=dict)  # status -> count of unusable intervals
    seconds: float = 0.0                                 # time covered by usable intervals
    mean: dict[str, float | None] = field(default_factory=dict)   # rate column -> time-weighted mean
    p95: dict[str, float | None] = field(default_factory=dict)
    peak: dict[str, float | None] = field(default_factory=dict)
    latest: dict[str, float | None] = field(default_factory=dict)  # rates of the newest usable interval
    latest_ms: int | None = None
    octets: int = 0                                      # in + out octets moved
    packets: int = 0                                     # in + out packets delivered
    discards: int = 0                                    # in + out packets dropped

    @property
    def drop_ratio(self) -> float | None:
        total = self.packets + self.discards
        return self.discards / total if total else None


@dataclass
class ConnectionTelemetry:
    connection: HostedConnection
    circuit: Circuit
    device: str
    interface: str
    sid: int | None                  # None: no samples for this interface in the window
    stats: ConnectionStats
    speed_bps: int                   # the circuit's capacity: nothing faster is possible

    def utilization(self, column: str) -> float | None:
        value = self.stats.p95.get(column)
        return None if value is None else value / self.connection.bandwidth


@dataclass
class TelemetryWindow:
    source: str
    since_s: float
    start_ms: int
    end_ms: int
    samples: Samples
    rates: pd.DataFrame                              # interval_rates() over every series in the window
    connections: list[ConnectionTelemetry]

    def rates_of(self, sid: int | None) -> pd.DataFrame:
        if sid is None:
            return self.rates.iloc[0:0]
        return self.rates[self.rates["sid"] == sid]


def connection_interface(placement: Placement, guess: bool = True) -> tuple[str, str | None]:
    """(device, configuration interface name) that carries a hosted connection: the one its device's parsed
    configuration carries it on (by dot1q VLAN), else the platform's conventional name (None: a platform
    without templates, or `guess=False`)."""
    name = placement.interface_name if guess else getattr(placement.interface, "name", None)
    return placement.circuit.device, name


def recorded_states(inventory: Inventory, fixtures_dir: str | Path | None = None) -> dict:
    """Parsed device states from a recorded fleet, when there is one: they say which subinterface carries
    which VLAN. Best effort: a device that cannot be read or parsed is simply left out (check reports it)."""
    from ecpartner.collect import collect_fleet
    from ecpartner.parse import build_states

    fleet = Path(fixtures_dir) if fixtures_dir else inventory.base_dir
    if not (fleet / "devices").is_dir():
        return {}
    carrying = sorted({inventory.circuits[hc.circuit].device for hc in inventory.hosted_connections})
    states, _failures = build_states(inventory, collect_fleet(inventory, fixtures_dir=fleet, names=carrying))
    return states


def read_samples(inventory: Inventory, db_path: str | Path | None, fixtures_dir: str | Path | None,
                 start_ms_for=None) -> Samples | None:
    """The samples of the run's source (`sample_source`); None if there is none."""
    source = sample_source(inventory, db_path, fixtures_dir)
    if source is None:
        return None
    if source.store is None:
        return read_csv_files(source.files)
    with Store(source.store, create=False) as store:
        newest = store.newest_ms()
        if newest is None:
            return Samples(empty_frame(), [], str(source.store))
        return store.load(start_ms_for(newest) if start_ms_for else None)


def load_window(inventory: Inventory, db_path: str | Path | None = None, since: str = "24h",
                fixtures_dir: str | Path | None = None, states: Mapping | None = None) -> TelemetryWindow | None:
    """The window ending at the newest sample; None when there are fewer than two sample times in it."""
    since_s = parse_duration(since, "--since")
    samples = read_samples(inventory, db_path, fixtures_dir, lambda newest: newest - int(since_s * 1000))
    if samples is None or len(samples) == 0:
        return None
    end_ms = int(samples.frame["time_ms"].max())
    start_ms = end_ms - int(since_s * 1000)
    samples = samples.since(start_ms)
    if samples.frame["time_ms"].nunique() < 2:
        return None
    return build_window(inventory, samples, since_s, start_ms, end_ms, states)


def build_window(inventory: Inventory, samples: Samples, since_s: float, start_ms: int, end_ms: int,
                 states: Mapping | None = None) -> TelemetryWindow:
    present = set(samples.frame["sid"].unique().tolist())   # a known series may have no rows in the window
    sids = {key: sid for key, sid in samples.sids_by_key().items() if sid in present}
    wanted = []
    placements = Placements(inventory, states)
    for hc in inventory.hosted_connections:
        # pending connections carry no tenant traffic yet (and may share a VLAN with the one they replace)
        if hc.status not in ("enabled", "disabled") or hc.circuit not in inventory.circuits:
            continue
        device, interface = connection_interface(placements.of(hc))
        wanted.append((hc, inventory.circuits[hc.circuit], device, interface, sids.get((device, interface))))
    speeds = {sid: c.capacity for _, c, _, _, sid in wanted if sid is not None}
    rates = R.interval_rates(samples, speeds)
    stats = _stats_by_sid(samples, rates)
    connections = [ConnectionTelemetry(hc, c, d, i, sid, stats.get(sid, ConnectionStats()) if sid is not None
                                       else ConnectionStats(), c.capacity) for hc, c, d, i, sid in wanted]
    return TelemetryWindow(samples.source, since_s, start_ms, end_ms, samples, rates, connections)


def _stats_by_sid(samples: Samples, rates: pd.DataFrame) -> dict[int, ConnectionStats]:
    """Every statistic for every series at once (vectorised: a week of 1,000 interfaces is 2 M rows)."""
    counts = samples.frame.groupby("sid").size()
    ok = rates[(rates["status"] == R.OK).to_numpy()]
    grouped = ok.groupby("sid")
    sums = grouped[["dt_s", "d_in_octets", "d_out_octets", "d_in_packets", "d_out_packets",
                    "d_in_discards", "d_out_discards"]].sum()
    p95 = grouped[list(R.RATE_COLUMNS)].quantile(0.95)
    peak = grouped[list(R.RATE_COLUMNS)].max()
    last = ok.loc[ok.groupby("sid")["end_ms"].idxmax()].set_index("sid") if len(ok) else ok.set_index("sid")
    dropped = rates[rates["status"] != R.OK].groupby(["sid", "status"], observed=True).size()
    dropped_by_sid: dict[int, dict[str, int]] = {}
    for (sid, status), n in dropped.items():
        dropped_by_sid.setdefault(int(sid), {})[status] = int(n)
    n_ok = grouped.size()

    out: dict[int, ConnectionStats] = {}
    for sid, n in counts.items():
        sid = int(sid)
        s = ConnectionStats(samples=int(n), dropped=dropped_by_sid.get(sid, {}))
        if sid in sums.index:
            row = sums.loc[sid]
            s.intervals = int(n_ok.loc[sid])
            s.seconds = float(row["dt_s"])
            for column, counter, factor in (("in_bps", "d_in_octets", 8), ("out_bps", "d_out_octets", 8),
                                            ("in_pps", "d_in_packets", 1), ("out_pps", "d_out_packets", 1)):
                s.mean[column] = float(row[counter]) * factor / s.seconds if s.seconds else None
                s.p95[column] = float(p95.at[sid, column])
                s.peak[column] = float(peak.at[sid, column])
                s.latest[column] = float(last.at[sid, column])
            s.latest_ms = int(last.at[sid, "end_ms"])
            s.octets = int(row["d_in_octets"] + row["d_out_octets"])
            s.packets = int(row["d_in_packets"] + row["d_out_packets"])
            s.discards = int(row["d_in_discards"] + row["d_out_discards"])
        out[sid] = s
    return out
