"""Command line (contract section 4). Thin: parse arguments, call the library, return the exit code."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from importlib import import_module

from ecpartner import __version__
from ecpartner.display import safe
from ecpartner.errors import InputError, Interrupted
from ecpartner.findings import EXIT_INPUT
from ecpartner.timefmt import time_zone

FORMATS = ["table", "text", "json", "junit", "markdown", "html"]
ACTIONS = ["create", "modify-vlan", "disable", "enable", "delete"]
EXIT_CODES = """exit codes: 0 done and compliant (warnings allowed), 1 at least one finding of severity error,
  2 bad input or usage (nothing half-written), 3 some devices could not be reached or parsed,
  130/143 interrupted by SIGINT/SIGTERM (nothing half-written)"""
TIMEOUT_HELP = ("seconds per step with --live: connecting (counted twice), each command, and SNMP requests; "
                "a device's whole budget is the sum of its steps (default 30)")
POLL_TIMEOUT_HELP = ("with --live: the whole SNMP walk of one device, and each SSH step of reading its "
                     "configuration (default 30)")
INVENTORY_HELP = "the inventory YAML file (contract section 2)"
DB_HELP = ("telemetry store: an SQLite file, or postgresql://user@host/db for one store that several pollers "
           "write (default: telemetry.sqlite beside the inventory)")
SHARD_HELP = ("poll only shard I of N (1 <= I <= N): the devices are split by a stable hash of their name, so N "
              "pollers with --shard 1/N .. N/N each poll a fixed, disjoint part of the fleet into one store")
SINCE_HELP = "telemetry window, measured back from the newest sample: 30m, 24h, 7d (default 24h)"
TZ_HELP = "time zone of the HTML plots' time axes, an IANA name such as Asia/Shanghai (default: the partner's timezone, else UTC)"
TELEMETRY_HELP = ("which samples the telemetry verdicts stand on when both exist: the store or the recorded "
                  "series (telemetry/*.csv beside the inventory). Default: the one with more samples in the "
                  "window; a store named with --db is chosen")
CLOUD_HELP = """credentials: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, else the
  alibabacloud-credentials default chain (profile, RAM role); ECP_CLOUD_ENDPOINT=http://HOST:PORT sends every
  call there (tests). Exit 3 when a region could not be read (the others are still read and recorded)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors are exit 2, like every other bad input
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def _vlan(text: str):
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a VLAN number or 'auto'") from None


def _moment(text: str):
    """--at: ISO 8601 with a UTC offset (2026-11-26T10:00:00+08:00, or Z); a bare local time is ambiguous."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date and time "
                                         "(e.g. 2026-11-26T10:00:00+08:00)") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset (e.g. 2026-11-26T10:00:00+08:00 or ...Z)")
    return moment


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return value


def _shard(text: str) -> tuple[int, int]:
    i, slash, n = text.partition("/")
    if slash and i.isdigit() and n.isdigit() and 1 <= int(i) <= int(n):
        return int(i), int(n)
    raise argparse.ArgumentTypeError(f"{text!r} is not I/N with 1 <= I <= N (e.g. 1/3)")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _zone(text: str) -> str:
    try:
        time_zone(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ecpartner", description="Express Connect partner network validator.",
                epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"ecpartner {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress and timings to stderr")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def live_options(sp):
        sp.add_argument("--live", action="store_true", help="reach devices over SSH and SNMP instead of fixtures")
        sp.add_argument("--fixtures", metavar="DIR", help="recorded fleet directory (default: beside the inventory)")
        sp.add_argument("--concurrency", type=_positive_int, default=20, metavar="N",
                        help="devices collected at once with --live (default 20)")
        sp.add_argument("--timeout", type=_seconds, default=30.0, metavar="S", help=TIMEOUT_HELP)

    c = sub.add_parser("check", help="check the inventory and devices against the partner guide",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("inventory", help=INVENTORY_HELP)
    live_options(c)
    c.add_argument("--cloud", action="store_true",
                   help="read Alibaba Cloud live for the cloud-* rules (default: the recorded cloud/, if any)")
    c.add_argument("--only", metavar="RULE[,RULE]", help="evaluate only these rule ids (comma-separated)")
    c.add_argument("--format", choices=FORMATS, default="table",
                   help="report format: table (terminal, one line per problem; with -v the detailed text), text "
                        "(detailed blocks with expected and actual), json, junit (CI), markdown, html (default table)")
    c.add_argument("--output", metavar="PATH", help="write the report here (atomically) instead of stdout")
    c.add_argument("--db", metavar="PATH|URL", help=DB_HELP + ", for the telemetry-* rules")
    c.add_argument("--since", default="24h", help=SINCE_HELP)
    c.add_argument("--telemetry", choices=["store", "series"], help=TELEMETRY_HELP)
    c.add_argument("--baseline", metavar="OLD.json",
                   help="an earlier check --format json report: mark each finding new or known, list what is resolved")
    c.set_defaults(handler="ecpartner.commands.check:cmd_check")

    d = sub.add_parser("diff", help="new, resolved and changed findings between two check reports (json)",
                       description="Compare two `check --format json` reports by finding key (rule and subject, "
                                   "with its region and tenant). Exit 1 when a new error-severity problem appeared.")
    d.add_argument("old", metavar="OLD.json", help="the earlier report")
    d.add_argument("new", metavar="NEW.json", help="the later report")
    d.add_argument("--format", choices=["table", "json", "markdown"], default="table",
                   help="output format (default table)")
    d.add_argument("--output", metavar="PATH", help="write the diff here (atomically) instead of stdout")
    d.set_defaults(handler="ecpartner.commands.diff:cmd_diff")

    pl = sub.add_parser("plan", help="validate a new hosted connection and print what to apply "
                                     "(`plan convert INVENTORY --vbr ID`: convert a tenant's VBR)")
    pl.add_argument("inventory", help=INVENTORY_HELP)
    pl.add_argument("--circuit", required=True, metavar="ID", help="the circuit to provision it on")
    pl.add_argument("--tenant", required=True, metavar="ACCOUNT", help="the tenant's Alibaba Cloud account id")
    pl.add_argument("--bandwidth", required=True, metavar="SPEC", help="the spec to buy: 50M ... 10G")
    pl.add_argument("--vlan", type=_vlan, default="auto", metavar="N|auto",
                    help="VLAN to use, or auto (default): the lowest free one of the circuit's vlan_pool")
    pl.add_argument("--at", type=_moment, metavar="TIME",
                    help="judge the permission window at TIME (ISO 8601 with offset) instead of now")
    pl.add_argument("--address", metavar="CIDR", help="partner-side address of the subinterface")
    pl.add_argument("--id", dest="connection_id", metavar="ID", help="hosted connection id, if already assigned")
    live_options(pl)
    pl.add_argument("--format", choices=["table", "json", "markdown"], default="table",
                    help="output format (default table)")
    pl.add_argument("--output", metavar="PATH", help="write the plan here (atomically) instead of stdout")
    pl.add_argument("--dry-run", action="store_true",
                    help="the CreateVirtualPhysicalConnection request with DryRun=true (checked, nothing created)")
    pl.add_argument("--cloud-dry-run", action="store_true",
                    help="send that DryRun request to Alibaba Cloud and report its answer (DRYRUN.SUCCESS passes); "
                         "credentials as for `cloud collect`")
    pl.set_defaults(handler="ecpartner.commands.plan:cmd_plan")

    r = sub.add_parser("render", help="generate switch configuration for hosted connections")
    r.add_argument("inventory", help=INVENTORY_HELP)
    r.add_argument("--connection", action="append", metavar="ID", help="hosted connection id (repeatable)")
    r.add_argument("--action", choices=ACTIONS, default="create", help="what to render (default create)")
    r.add_argument("--vlan", type=int, metavar="N", help="new VLAN for --action modify-vlan")
    r.add_argument("--output-dir", metavar="DIR", help="one file per device here, instead of stdout")
    r.add_argument("--dry-run", action="store_true",
                   help="Alibaba Cloud steps as DryRun=true requests (answered DRYRUN.SUCCESS, nothing changes)")
    r.set_defaults(handler="ecpartner.commands.render:cmd_render")

    rm = sub.add_parser("remediate", help="write per device the configuration that fixes its failing findings",
                        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    rm.add_argument("inventory", help=INVENTORY_HELP)
    live_options(rm)
    rm.add_argument("--only", metavar="RULE[,RULE]", help="fix only the findings of these rule ids (comma-separated)")
    rm.add_argument("--output-dir", metavar="DIR", help="one file per device here (<device>.remediate.cfg), "
                                                        "instead of stdout")
    rm.set_defaults(handler="ecpartner.commands.remediate:cmd_remediate")

    co = sub.add_parser("collect", help="collect live devices and record them as a fixture fleet")
    co.add_argument("inventory", help=INVENTORY_HELP)
    co.add_argument("--record", required=True, metavar="DIR",
                    help="write the fixture fleet here (devices/, snmp/; contract section 3)")
    co.add_argument("--concurrency", type=_positive_int, default=20, metavar="N",
                    help="devices collected at once (default 20)")
    co.add_argument("--timeout", type=_seconds, default=30.0, metavar="S", help=TIMEOUT_HELP)
    co.set_defaults(handler="ecpartner.commands.collect:cmd_collect")

    cl = sub.add_parser("cloud", help="what Alibaba Cloud says exists (read-only)")
    clsub = cl.add_subparsers(dest="cloud_command", required=True, parser_class=_Parser)
    cc = clsub.add_parser("collect", help="read every region's circuits, hosted connections and VBRs",
                          epilog=CLOUD_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    cc.add_argument("inventory", help=INVENTORY_HELP)
    cc.add_argument("--record", metavar="DIR", help="write the answers under DIR/cloud/<region>/ (replayed by check)")
    cc.add_argument("--timeout", type=_seconds, default=30.0, metavar="S",
                    help="seconds per API call, to connect and to read (default 30)")
    cc.set_defaults(handler="ecpartner.commands.cloud:cmd_cloud_collect")
    ci = clsub.add_parser("import", help="write a starter inventory from the cloud (placeholders for the rest)",
                          epilog=CLOUD_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    ci.add_argument("inventory_out", metavar="INVENTORY_OUT", help="the inventory file to write (must not exist)")
    ci.add_argument("--region", action="append", required=True, metavar="REGION",
                    help="a region to read (repeatable), e.g. cn-hangzhou")
    ci.add_argument("--account-id", metavar="ID", help="the partner's Alibaba Cloud account id (else a placeholder)")
    ci.add_argument("--timeout", type=_seconds, default=30.0, metavar="S",
                    help="seconds per API call, to connect and to read (default 30)")
    ci.set_defaults(handler="ecpartner.commands.cloud:cmd_cloud_import")

    t = sub.add_parser("telemetry", help="counter sampling and reports")
    tsub = t.add_subparsers(dest="telemetry_command", required=True, parser_class=_Parser)
    tp = tsub.add_parser("poll", help="take one sample of every tenant interface")
    tp.add_argument("inventory", help=INVENTORY_HELP)
    tp.add_argument("--db", metavar="PATH|URL", help=DB_HELP)
    tp.add_argument("--shard", type=_shard, metavar="I/N", help=SHARD_HELP)
    tp.add_argument("--live", action="store_true", help="poll devices over SNMP instead of the fixture series")
    tp.add_argument("--timeout", type=_seconds, default=30.0, metavar="S", help=POLL_TIMEOUT_HELP)
    tp.add_argument("--textfile", metavar="PATH",
                    help="after the poll, write Prometheus metrics here (atomically; for node_exporter's textfile "
                         "collector)")
    tp.set_defaults(handler="ecpartner.commands.telemetry:cmd_poll")
    ti = tsub.add_parser("import", help="load recorded series (CSV, contract section 7) into the store in one step")
    ti.add_argument("inventory", help=INVENTORY_HELP)
    ti.add_argument("csv", nargs="*", metavar="CSV",
                    help="series files to load (default: telemetry/*.csv beside the inventory)")
    ti.add_argument("--db", metavar="PATH", help=DB_HELP)
    ti.set_defaults(handler="ecpartner.commands.telemetry:cmd_import")
    tr = tsub.add_parser("report", help="rates, percentiles and plots per hosted connection")
    tr.add_argument("inventory", help=INVENTORY_HELP)
    tr.add_argument("--db", metavar="PATH|URL", help=DB_HELP)
    tr.add_argument("--since", default="24h", help=SINCE_HELP)
    tr.add_argument("--telemetry", choices=["store", "series"], help=TELEMETRY_HELP)
    tr.add_argument("--format", choices=["html", "markdown", "csv", "json", "prometheus"], default="html",
                    help="report format (default html: one self-contained page with plots)")
    tr.add_argument("--output", metavar="PATH", help="write the report here (atomically) instead of stdout")
    tr.add_argument("--tz", type=_zone, metavar="ZONE", help=TZ_HELP)
    tr.set_defaults(handler="ecpartner.commands.telemetry:cmd_report")
    tu = tsub.add_parser("run", help="poll on a schedule and write reports on theirs")
    tu.add_argument("inventory", help=INVENTORY_HELP)
    tu.add_argument("--every", required=True, metavar="DURATION", help="poll period: 5m, 1h, ...")
    tu.add_argument("--report-every", default=None, metavar="DURATION",
                    help="write an HTML report of the store this often (default: no reports)")
    tu.add_argument("--report-dir", metavar="DIR",
                    help="where reports go (default telemetry-reports/ beside the inventory)")
    tu.add_argument("--tz", type=_zone, metavar="ZONE", help=TZ_HELP)
    tu.add_argument("--db", metavar="PATH|URL", help=DB_HELP)
    tu.add_argument("--shard", type=_shard, metavar="I/N", help=SHARD_HELP)
    tu.add_argument("--live", action="store_true", help="poll devices over SNMP instead of the fixture series")
    tu.add_argument("--timeout", type=_seconds, default=30.0, metavar="S", help=POLL_TIMEOUT_HELP)
    tu.add_argument("--listen", metavar="HOST:PORT",
                    help="serve Prometheus metrics over HTTP here, e.g. 127.0.0.1:9717 (updated after every poll)")
    tu.set_defaults(handler="ecpartner.commands.telemetry:cmd_run")
    return p


def convert_parser() -> argparse.ArgumentParser:
    """`ecpartner plan convert ...`: its own parser, because `plan`'s first word is the inventory."""
    cv = _Parser(prog="ecpartner plan convert", description="Convert a tenant's VBR on the partner's circuit into a "
                 "hosted connection: preconditions and runbook (the guide's \"Convert a connection for an existing "
                 "tenant\").", epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    cv.add_argument("inventory", help=INVENTORY_HELP)
    cv.add_argument("--vbr", required=True, metavar="VBR_ID", help="the tenant's VBR on one of the partner's circuits")
    cv.add_argument("--bandwidth-cap", type=_positive_int, metavar="MBPS",
                    help="the bandwidth cap to set first when the VBR has none")
    cv.add_argument("--dry-run", action="store_true", help="CreateVpconnFromVbr with DryRun=true")
    cv.add_argument("--cloud", action="store_true", help="read Alibaba Cloud live (default: the recorded cloud/)")
    cv.add_argument("--fixtures", metavar="DIR", help="recorded fleet directory (default: beside the inventory)")
    cv.add_argument("--timeout", type=_seconds, default=30.0, metavar="S", help="seconds per API call with --cloud")
    cv.add_argument("--format", choices=["table", "json"], default="table", help="output format (default table)")
    cv.add_argument("--output", metavar="PATH", help="write the plan here (atomically) instead of stdout")
    cv.set_defaults(handler="ecpartner.commands.plan:cmd_plan_convert", verbose=False)
    return cv


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    words = [a for a in argv if a not in ("-v", "--verbose")]
    if words[:2] == ["plan", "convert"]:
        args = convert_parser().parse_args(words[2:])
        args.verbose = len(words) != len(argv)
    else:
        args = build_parser().parse_args(argv)
    from ecpartner.logsetup import setup_logging

    setup_logging(args.verbose)   # no tracebacks (ours or paramiko's) at default verbosity; -v shows them
    module_name, func_name = args.handler.split(":")
    handler = getattr(import_module(module_name), func_name)
    # SIGINT and SIGTERM raise Interrupted wherever the main thread is: writers clean up on the way out
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, _interrupt) for s in (signal.SIGINT, signal.SIGTERM)} if on_main_thread else {}
    try:
        return handler(args)
    except Interrupted as e:
        print(f"ecpartner: interrupted by {signal.Signals(e.signum).name}", file=sys.stderr)
        return 128 + e.signum
    except InputError as e:
        for message in e.messages:
            print(f"ecpartner: {safe(message)}", file=sys.stderr)     # messages quote inventory values
        return EXIT_INPUT
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _interrupt(signum, _frame) -> None:
    raise Interrupted(signum)
