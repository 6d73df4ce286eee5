"""`ecpartner diff OLD.json NEW.json`: what changed between two check reports; exit 1 on a new error."""

from __future__ import annotations

from ecpartner.commands.output import write_output
from ecpartner.findings import EXIT_FINDINGS, EXIT_OK


def cmd_diff(args) -> int:
    from ecpartner.report.diff import chunks, compare, load_findings

    d = compare(load_findings(args.old), load_findings(args.new))
    write_output(chunks(args.format, d, args.old, args.new), args.output, "the diff")
    return EXIT_FINDINGS if d.new_errors else EXIT_OK
