"""The parse stage: platform + command + text -> normalized DeviceState, driven by templates/<platform>/.

Vendor knowledge stays in templates/<platform>/ (read through ecpartner.platforms): which command to run,
which TTP templates read it, a few platform defaults, the naming model. This package is vendor-neutral:

  build          build_state (one device's outputs -> DeviceState), build_states (the fleet, with failures)
  ttp            run_template (compiled-template reuse), raw_records (a command's templates, merged)
  raw            the RAW SCHEMA every platform's templates produce, typed
  assemble       raw records -> state tables (units, MQC policy -> class -> behaviour, ACLs, named CARs)
  snmp_counters  IF-MIB walk -> Counters;  cli_counters: the interface command's records -> Counters
  ifnames        device-reported interface names -> configuration names
"""

from ecpartner.parse.build import ParseError, build_state, build_states
from ecpartner.parse.ttp import raw_records, run_template

__all__ = ["ParseError", "build_state", "build_states", "raw_records", "run_template"]
