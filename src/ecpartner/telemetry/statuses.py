"""Why an interval was left out of the rates (rates.py), free of pandas so the rules can name them."""

OK, CLOCK, REBOOT, CLEARED, IMPOSSIBLE, BITS_CHANGED, STALLED = (
    "ok", "clock-step", "reboot", "cleared", "impossible", "counter-size-changed", "sysuptime-stalled")
STATUSES = (OK, CLOCK, REBOOT, CLEARED, IMPOSSIBLE, BITS_CHANGED, STALLED)
# how a person reads a status where intervals left out are counted ("3 sysUpTime did not advance")
SHOWN = {STALLED: "sysUpTime did not advance"}
