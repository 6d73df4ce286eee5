"""A telemetry window: the samples of the last `since` before the newest one, turned into rates and
per-hosted-connection statistics. This is what `check` puts in `ctx.telemetry` and what reports show.

A hosted connection's samples are found by (device, interface): the circuit's device, and for VLAN 0
the circuit's interface itself; otherwise the subinterface a parsed device state says carries that
dot1q VLAN on the circuit port, or by default the platform's conventional name (commands.yaml `naming`; a
subinterface numbered differently from its VLAN needs the device state or `interface_names`).
"""

from __future__ import annotations

import functools

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd

from ecpartner.inventory import Circuit, HostedConnection, Inventory
from ecpartner.placement import Placement, Placements
from ecpartner.telemetry import rates as R
from ecpartner.telemetry.series import Samples, empty_frame, read_csv_files
from ecpartner.telemetry.sources import SERIES, STORE, SampleSource, check_choice, sample_sources
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
    source: str                                      # where the samples came from (store path, series glob)
    since_s: float
    start_ms: int
    end_ms: int
    samples: Samples
    rates: pd.DataFrame                              # interval_rates() over every series in the window
    connections: list[ConnectionTelemetry]
    kind: str = ""                                   # "store" or "series"
    choice: str = ""                                 # how the source was chosen when there were two

    @functools.cached_property
    def sample_times(self) -> int:
        """Distinct sample times in the window (counted once: every telemetry finding asks)."""
        return int(self.samples.frame["time_ms"].nunique())

    def described(self) -> str:
        """The source as findings name it: 'series fixtures/demo/telemetry/*.csv'."""
        return " ".join(filter(None, (self.kind, self.source)))

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


def _read(source: SampleSource, since_ms: int) -> Samples:
    """A source's samples of the `since_ms` before its newest one."""
    if source.store is None:
        samples = read_csv_files(source.files)
    else:
        with Store(source.store, create=False) as store:
            newest = store.newest_ms()
            samples = (Samples(empty_frame(), [], source.where) if newest is None
                       else store.load(newest - since_ms))
    if len(samples):
        samples = samples.since(int(samples.frame["time_ms"].max()) - since_ms)
    return samples


def choose_samples(inventory: Inventory, db_path: str | Path | None, fixtures_dir: str | Path | None,
                   since_s: float, choice: str | None = None) -> tuple[SampleSource, Samples, str] | None:
    """(source, its samples in the window, why it was chosen); None when there is no source at all.

    `choice` (`--telemetry store|series`) decides; a store named with --db is a choice too. Otherwise,
    when both exist, the one with more samples in its window wins (the store on a tie): one poll beside a
    recorded day must not replace 288 intervals with one. `why` is empty when there was only one source."""
    sources = sample_sources(inventory, db_path, fixtures_dir)
    check_choice(sources, choice, inventory, fixtures_dir)
    if not sources:
        return None
    since_ms = int(since_s * 1000)
    if choice is None and STORE in sources and sources[STORE].named:
        choice = STORE
    if choice is None and len(sources) == 1:
        choice = next(iter(sources))
    if choice is not None:
        others = [s for kind, s in sources.items() if kind != choice]
        why = f"chosen over the {others[0].kind} {others[0].where}" if others else ""
        return sources[choice], _read(sources[choice], since_ms), why
    read = {kind: _read(source, since_ms) for kind, source in sources.items()}
    kind = STORE if len(read[STORE]) >= len(read[SERIES]) else SERIES
    other = SERIES if kind == STORE else STORE
    why = (f"by default the one with more samples in the window: {len(read[kind])} against "
           f"{len(read[other])} in the {other} {sources[other].where} (--telemetry {other} reads that one)")
    return sources[kind], read[kind], why


def load_window(inventory: Inventory, db_path: str | Path | None = None, since: str = "24h",
                fixtures_dir: str | Path | None = None, states: Mapping | None = None,
                choice: str | None = None) -> TelemetryWindow | None:
    """The window ending at the newest sample of the chosen source (`choose_samples`); None when there is
    no source. A window may hold fewer than two sample times: the rules then say there are not enough."""
    since_s = parse_duration(since, "--since")
    chosen = choose_samples(inventory, db_path, fixtures_dir, since_s, choice)
    if chosen is None:
        return None
    source, samples, why = chosen
    end_ms = int(samples.frame["time_ms"].max()) if len(samples) else 0
    start_ms = end_ms - int(since_s * 1000)
    window = build_window(inventory, samples, since_s, start_ms, end_ms, states)
    window.kind, window.source, window.choice = source.kind, source.where, why
    return window


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
    """Every statistic for every series at once (vectorised: a week of 1,000 interfaces is 2 M rows); the
    per-series loop only hands out Python numbers taken from whole arrays."""
    counts = samples.frame.groupby("sid").size()
    summed = ["dt_s", "d_in_octets", "d_out_octets", "d_in_packets", "d_out_packets", "d_in_discards", "d_out_discards"]
    ok = rates.loc[(rates["status"] == R.OK).to_numpy(), ["sid", "end_ms", *summed, *R.RATE_COLUMNS]]   # a copy of these only
    grouped = ok.groupby("sid")
    sums = grouped[summed].sum()
    with_ok = sums.index
    # float64 throughout, as a row of the mixed float/uint64 sums has always been read
    total = dict(zip(summed, sums.to_numpy(dtype="float64").T.tolist()))
    p95 = grouped[list(R.RATE_COLUMNS)].quantile(0.95).loc[with_ok]
    peak = grouped[list(R.RATE_COLUMNS)].max().loc[with_ok]
    last = (ok.loc[grouped["end_ms"].idxmax()].set_index("sid") if len(ok) else ok.set_index("sid")).loc[with_ok]
    values = {(kind, column): frame[column].to_numpy(dtype="float64").tolist()
              for kind, frame in (("p95", p95), ("peak", peak), ("latest", last)) for column in R.RATE_COLUMNS}
    latest_ms = last["end_ms"].tolist()
    n_ok = grouped.size().loc[with_ok].tolist()
    dropped = rates[rates["status"] != R.OK].groupby(["sid", "status"], observed=True).size()
    dropped_by_sid: dict[int, dict[str, int]] = {}
    for (sid, status), n in dropped.items():
        dropped_by_sid.setdefault(int(sid), {})[status] = int(n)

    out: dict[int, ConnectionStats] = {}
    for sid, n in zip(counts.index.tolist(), counts.tolist()):
        out[sid] = ConnectionStats(samples=n, dropped=dropped_by_sid.get(sid, {}))
    for k, sid in enumerate(with_ok.tolist()):
        s = out[sid]
        s.intervals = n_ok[k]
        s.seconds = total["dt_s"][k]
        for column, counter, factor in (("in_bps", "d_in_octets", 8), ("out_bps", "d_out_octets", 8),
                                        ("in_pps", "d_in_packets", 1), ("out_pps", "d_out_packets", 1)):
            s.mean[column] = total[counter][k] * factor / s.seconds if s.seconds else None
            s.p95[column] = values["p95", column][k]
            s.peak[column] = values["peak", column][k]
            s.latest[column] = values["latest", column][k]
        s.latest_ms = latest_ms[k]
        s.octets = int(total["d_in_octets"][k] + total["d_out_octets"][k])
        s.packets = int(total["d_in_packets"][k] + total["d_out_packets"][k])
        s.discards = int(total["d_in_discards"][k] + total["d_out_discards"][k])
    return out
