"""One agent's failure, in a walk (collect) or a poll (telemetry), is told the same way and never as a traceback."""

from __future__ import annotations

import logging

from ecpartner.collect.snmp import SnmpAuth, SnmpError, WalkJob, agent_failure

JOB = WalkJob("acc-01", "127.0.0.1", 16100, SnmpAuth())


def test_an_snmp_error_is_told_by_its_own_message():
    assert agent_failure(JOB, SnmpError("snmp: no response from 127.0.0.1:16100"), "polling") == \
        "snmp: no response from 127.0.0.1:16100"


def test_a_surprise_is_an_internal_error_by_its_type_with_the_traceback_in_the_debug_log(caplog):
    try:
        raise KeyError("1.3.6.1.2.1.1.3.0")
    except KeyError as e:
        with caplog.at_level(logging.DEBUG, logger="ecpartner.collect.snmp"):
            message = agent_failure(JOB, e, "walking")
    assert message == "snmp 127.0.0.1:16100: internal error: KeyError"
    assert [(r.getMessage(), r.exc_info is not None) for r in caplog.records] == [("walking acc-01", True)]
