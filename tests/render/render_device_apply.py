"""A tiny model of how a device merges pasted configuration into its running configuration, so a
rendered snippet can be "applied" to a recorded running-config and parsed back by the project's own
TTP templates. It knows just enough CLI to be honest about what the templates emit:

- mode lines (system-view, quit, return, configure terminal, exit, end) and comments are not saved;
- a top-level `undo interface X` / `no interface X` removes that stanza; any other top-level line
  enters (or creates) the stanza with that header;
- inside a stanza, `undo CMD` / `no CMD` removes the lines that are CMD or start with CMD + " ";
  `undo shutdown` / `no shutdown` therefore leaves no line, as devices save it;
  description / vlan-type / encapsulation / the primary ip address replace the previous line;
  anything else is added unless already there.
The result is written back the way the platform saves it: stanzas separated by `#` (Huawei) or `!`.
"""

from __future__ import annotations

MODE_LINES = {"system-view", "quit", "return", "configure terminal", "exit", "end"}
SEPARATOR = {"huawei": "#", "cisco_ios": "!"}
FINAL = {"huawei": "return", "cisco_ios": "end"}
REPLACED_BY_FIRST_WORDS = (("description",), ("vlan-type",), ("encapsulation",), ("ip", "address"))


def _stanzas(text: str, separator: str) -> list[list[str]]:
    stanzas: list[list[str]] = []
    for line in text.splitlines():
        if not line.strip() or line.strip() == separator:
            continue
        if line[0] in " \t" and stanzas:
            stanzas[-1].append(line)
        else:
            stanzas.append([line])
    return stanzas


def _key(words: list[str]):
    for prefix in REPLACED_BY_FIRST_WORDS:
        if tuple(words[:len(prefix)]) == prefix and not (prefix == ("ip", "address") and words[-1] in ("sub", "secondary")):
            return prefix
    return None


def _negates(line_words: list[str], words: list[str]) -> bool:
    """`undo shutdown` / `no ip address`: a saved negation that a new positive line replaces."""
    if not line_words or line_words[0] not in ("undo", "no") or len(line_words) < 2:
        return False
    rest = line_words[1:]
    return words[:len(rest)] == rest


def apply(platform: str, running: str, pasted: str) -> str:
    separator, final = SEPARATOR[platform], FINAL[platform]
    stanzas = [s for s in _stanzas(running, separator) if s[0].strip() != final]
    current: list[str] | None = None
    for line in pasted.splitlines():
        text = line.strip()
        if not text or text in MODE_LINES or text[0] in "#!":
            continue
        if line[0] not in " \t":
            words = text.split()
            if words[0] in ("undo", "no") and words[1:2] == ["interface"]:
                header = "interface " + " ".join(words[2:])
                stanzas = [s for s in stanzas if s[0] != header]
                current = None
                continue
            current = next((s for s in stanzas if s[0] == text), None)
            if current is None:
                current = [text]
                stanzas.append(current)
            continue
        assert current is not None, f"{line!r} outside any stanza"
        indent = line[:len(line) - len(line.lstrip())]
        words = text.split()
        if words[0] in ("undo", "no"):
            target = " ".join(words[1:])
            current[1:] = [b for b in current[1:] if not (b.strip() == target or b.strip().startswith(target + " "))]
            continue
        current[1:] = [b for b in current[1:] if not _negates(b.split(), words)]
        key = _key(words)
        if key is not None:
            current[1:] = [b for b in current[1:] if _key(b.split()) != key]
        if indent + text not in current[1:]:
            current.append(indent + text)
    out: list[str] = []
    for stanza in stanzas:
        out.extend(stanza)
        out.append(separator)
    out.append(final)
    return "\n".join(out) + "\n"
