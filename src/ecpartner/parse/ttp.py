"""TTP runs: every template of a command on its output, each compiled template reused (see below).

The records it returns are the RAW SCHEMA (ecpartner.parse.raw).
"""

from __future__ import annotations

import sys
import threading

from ttp import ttp
from ttp.ttp import CachedModule

from ecpartner.parse.raw import Raw
from ecpartner.platforms import platform_spec


def raw_records(platform: str, command: str, text: str) -> Raw:
    """Run every TTP template of a command on its output; merge the groups (RAW SCHEMA)."""
    merged: Raw = {}
    for _name, template in platform_spec(platform).command(command).templates:
        _merge(run_template(template, text), merged)
    return merged


# Compiling a template (ttp.__init__: XML, macros, regexes) costs about as much as running it on a device's
# configuration, and is the same for every device of a platform: compile once per thread, reuse per output.
# Two TTP details make naive reuse wrong:
#  - result() returns the template's own `results` list and clear_result() empties it in place, so results
#    read before clear_result() vanish: take a copy.
#  - TTP plugin functions (the group `macro` runner among them) read a module-global `_ttp_` that points
#    at the dictionary of whichever ttp object last loaded them, so after another ttp object has run, a
#    reused one silently skips its macros. Point them back at this object's dictionary before each run.
#    Those globals are process-wide, hence the lock: TTP runs one at a time (pure Python, so the GIL
#    serialises them anyway).
_compiled = threading.local()
_TTP_LOCK = threading.Lock()


def run_template(template: str, text: str) -> list:
    """TTP's result() for one template on one text, as from a fresh ttp(data=text, template=template)."""
    cache = _compiled.__dict__.setdefault("parsers", {})
    with _TTP_LOCK:
        parser = cache.pop(template, None) or ttp(template=template)
        _bind_plugins(parser)
        parser.clear_input()
        parser.clear_result()
        parser._ttp_["global_vars"].clear()     # `record`/`count` state: empty in a fresh object
        parser.add_input(text, template_name="_all_")
        parser.parse(one=True)
        result = [list(per_template) for per_template in parser.result()]
        parser.clear_input()
        cache[template] = parser                # only after a clean run: a run that raised is not reused
    return result


def _bind_plugins(parser: ttp) -> None:
    """Do what TTP's CachedModule.load does for every plugin function this parser has loaded already."""
    for scope in parser._ttp_.values():
        if not isinstance(scope, dict):
            continue
        for function in scope.values():
            if isinstance(function, CachedModule):
                continue                            # not loaded yet: it binds itself when first called
            module = sys.modules.get(getattr(function, "__module__", None) or "")
            if module is not None and module.__name__.startswith("ttp.") and hasattr(module, "_ttp_"):
                module._ttp_ = parser._ttp_


def _merge(result, merged: Raw) -> None:
    """TTP returns a list per template of a list per input of dicts; flatten into group -> list."""
    if isinstance(result, list):
        for item in result:
            _merge(item, merged)
    elif isinstance(result, dict):
        for group, value in result.items():
            merged.setdefault(group, []).extend(value if isinstance(value, list) else [value])
