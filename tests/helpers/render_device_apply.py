"""A tiny model of how a device merges pasted configuration into its running configuration, so a
rendered snippet can be "applied" to a recorded running-config and parsed back by the project's own
TTP templates. It knows just enough CLI to be honest about what the templates emit:

- mode lines (system-view, quit, return, configure terminal, exit, end) and comments are not saved;
- a top-level `undo interface X` / `no policy-map P` removes that stanza; any other top-level line
  enters (or creates) the stanza with that header;
- inside a stanza, `undo CMD` / `no CMD` removes the lines that are CMD or start with CMD + " ";
  `undo shutdown` / `no shutdown` therefore leaves no line, as devices save it;
  description / vlan-type / encapsulation / the primary ip address replace the previous line;
  anything else is added unless already there.
The result is written back the way the platform saves it: stanzas separated by its separator.
The words (mode lines, negation, replaced lines, separator) are the platform's: lab.yaml `apply`.

`apply.style: statements` is the other model (Junos `display set`): every line is a whole path.
- mode lines (regular expressions: `configure private`, `commit ...`) and comments are not saved;
- `<add> PATH` (set) saves the statement unless it is there already; a statement ending in a leaf
  keyword and its value (`description "x"`, `vlan-id 7`) replaces that leaf's previous value;
- `<remove> PATH` (delete) removes the statement and every statement under it (a missing one: nothing).
A new statement goes after the last one of its hierarchy (the first two words), as the device prints it.
"""

from __future__ import annotations

import re
import shlex

from ecpartner.platforms import platform_spec

from helpers.platforms import lab


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


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _key(words: list[str], vocabulary: dict):
    for prefix in vocabulary["replaces"]:
        if words[:len(prefix)] == prefix and words[-1] not in vocabulary["adds_beside"].get(" ".join(prefix), ()):
            return tuple(prefix)
    return None


def _negates(line_words: list[str], words: list[str], negation: str) -> bool:
    """`undo shutdown` / `no ip address`: a saved negation that a new positive line replaces."""
    if not line_words or line_words[0] != negation or len(line_words) < 2:
        return False
    rest = line_words[1:]
    return words[:len(rest)] == rest


def _leaf_prefix(statement: str, leaves: list[str]) -> str | None:
    """`set a b description "x y"` -> `set a b description`: the part a new value of that leaf keeps."""
    words = shlex.split(statement, posix=False)
    if len(words) >= 3 and words[-2] in leaves:
        return " ".join(words[:-1])
    return None


def _under(statement: str, path: str) -> bool:
    return statement == path or statement.startswith(path + " ")


def apply_statements(platform: str, running: str, pasted: str) -> str:
    vocabulary = lab(platform)["apply"]
    add, remove, leaves = vocabulary["add"], vocabulary["remove"], vocabulary["leaves"]
    modes = [re.compile(m) for m in vocabulary["mode_lines"]]
    comment = platform_spec(platform).comment
    saved = running.splitlines()
    for line in pasted.splitlines():
        text = line.strip()
        if not text or text.startswith(comment) or any(m.fullmatch(text) for m in modes):
            continue
        verb, _, path = text.partition(" ")
        assert verb in (add, remove) and path, f"{text!r}: not a statement this model knows"
        if verb == remove:
            saved = [s for s in saved if not _under(s, f"{add} {path}")]
            continue
        leaf = _leaf_prefix(text, leaves)
        if leaf is not None:
            saved = [s for s in saved if _leaf_prefix(s, leaves) != leaf]
        if text in saved:
            continue
        hierarchy = " ".join(text.split()[:3])
        last = max((i for i, s in enumerate(saved) if " ".join(s.split()[:3]) == hierarchy), default=len(saved) - 1)
        saved.insert(last + 1, text)
    return "\n".join(saved) + "\n"


def apply(platform: str, running: str, pasted: str) -> str:
    vocabulary = lab(platform)["apply"]
    if vocabulary.get("style") == "statements":
        return apply_statements(platform, running, pasted)
    separator, final, negation = vocabulary["separator"], vocabulary["final"], vocabulary["negation"]
    comment = platform_spec(platform).comment
    stanzas = [s for s in _stanzas(running, separator) if s[0].strip() != final]
    current: list[str] | None = None
    path: list[tuple[int, int]] = []        # (indent, index in current) of the lines enclosing the next one
    for line in pasted.splitlines():
        text = line.strip()
        if not text or text in vocabulary["mode_lines"] or text.startswith(comment):
            continue
        if line[0] not in " \t":
            words = text.split()
            if words[0] == negation:            # `no interface X`, `no policy-map P`: the stanza goes
                header = " ".join(words[1:])
                stanzas = [s for s in stanzas if s[0] != header]
                current = None
                continue
            current = next((s for s in stanzas if s[0] == text), None)
            if current is None:
                current = [text]
                stanzas.append(current)
            path = []
            continue
        assert current is not None, f"{line!r} outside any stanza"
        indent = line[:len(line) - len(line.lstrip())]
        # a nested line (`  police rate` under ` class X`) acts inside its enclosing line's block only
        while path and path[-1][0] >= len(indent):
            path.pop()
        lo = path[-1][1] + 1 if path else 1
        hi = lo
        while hi < len(current) and (not path or _indent(current[hi]) > path[-1][0]):
            hi += 1
        block = current[lo:hi]
        words = text.split()
        if words[0] == negation:
            target = " ".join(words[1:])
            current[lo:hi] = [b for b in block if not (b.strip() == target or b.strip().startswith(target + " "))]
            continue
        block = [b for b in block if not _negates(b.split(), words, negation)]
        key = _key(words, vocabulary)
        if key is not None:
            block = [b for b in block if _key(b.split(), vocabulary) != key]
        if indent + text not in block:
            block.append(indent + text)
        current[lo:hi] = block
        path.append((len(indent), lo + block.index(indent + text)))
    out: list[str] = []
    for stanza in stanzas:
        out.extend(stanza)
        out.append(separator)
    out.append(final)
    return "\n".join(out) + "\n"


def without_port_wide(platform: str, config: str, port: str) -> str:
    """`config` without the lines of `port`'s stanza that lab.yaml `render.port_wide` names: settings of the
    circuit port that every tenant behind it shares (Comware limits ARP per port, not per subinterface), which
    deleting one tenant's subinterface leaves as they are."""
    prefixes = tuple(lab(platform)["render"].get("port_wide", ()))
    out, in_port = [], False
    for line in config.splitlines():
        if line[:1] not in (" ", "\t"):
            in_port = line.strip() == f"interface {port}"
        elif in_port and prefixes and line.strip().startswith(prefixes):
            continue
        out.append(line)
    return "\n".join(out) + "\n"
