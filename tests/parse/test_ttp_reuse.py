"""parse.ttp.run_template reuses a compiled TTP template; its results must equal a fresh ttp object's, whatever ran before.

Every parser case (tests/platforms/<platform>/parse/*/*.txt) is run through every template of its platform's commands.
"""

from __future__ import annotations

import threading

import pytest
from ttp import ttp

import ecpartner.parse.ttp as parse_ttp
from ecpartner.parse import run_template
from ecpartner.platforms import platform_spec

from helpers.platforms import case_id, case_platform, parse_cases

CASES = parse_cases()


def _jobs() -> list[tuple[str, str, str, str]]:
    """(case id, template file, template text, device text) for every case and every template of its platform."""
    jobs = []
    for case in CASES:
        text = case.read_text(encoding="utf-8")
        for command in platform_spec(case_platform(case)).commands:
            for name, template in command.templates:
                jobs.append((case_id(case), name, template, text))
    return jobs


JOBS = _jobs()


def fresh(template: str, text: str) -> list:
    parser = ttp(data=text, template=template)
    parser.parse()
    return parser.result()


@pytest.fixture(scope="module")
def expected() -> dict[tuple[str, str], list]:
    return {(case, name): fresh(template, text) for case, name, template, text in JOBS}


def test_every_platform_and_template_is_covered():
    assert {case.split("/")[0] for case, *_ in JOBS} >= {"huawei", "cisco_ios"}
    assert len({(case.split("/")[0], name) for case, name, *_ in JOBS}) >= 6


@pytest.mark.parametrize("job", JOBS, ids=[f"{c}:{n}" for c, n, *_ in JOBS])
def test_reused_twice_in_a_row_equals_fresh(job, expected):
    case, name, template, text = job
    first = run_template(template, text)
    second = run_template(template, text)
    assert first == expected[case, name]
    assert second == expected[case, name]


def test_interleaved_across_platforms_templates_and_fresh_parsers(expected):
    # Each platform's cases in turn, templates in reverse order, with a fresh ttp object run in between
    # (it re-points TTP's plugin globals, which once made reused parsers skip their macros).
    ids = [case_id(c) for c in CASES]
    order = sorted(JOBS, key=lambda j: (ids.index(j[0]) % 5, j[0].split("/")[-1], j[1]),
                   reverse=True)
    other = JOBS[len(JOBS) // 2]
    for case, name, template, text in order:
        fresh(other[2], other[3])
        assert run_template(template, text) == expected[case, name], (case, name)
        assert run_template(template, text) == expected[case, name], (case, name)


def test_a_result_survives_the_next_run(expected):
    # TTP's clear_result() empties the list result() handed out: run_template must return its own copy.
    (case_a, name, template, text_a), (case_b, _, _, text_b) = [j for j in JOBS if j[1] == JOBS[0][1]][:2]
    first = run_template(template, text_a)
    run_template(template, text_b)
    assert first == expected[case_a, name]
    assert first and first[0], "the case must produce results for this test to mean anything"


def test_template_is_compiled_once_per_thread():
    _, _, template, text = JOBS[0]
    run_template(template, text)
    parser = parse_ttp._compiled.parsers[template]
    run_template(template, text)
    assert parse_ttp._compiled.parsers[template] is parser

    seen = []
    worker = threading.Thread(target=lambda: (run_template(template, text), seen.append(parse_ttp._compiled.parsers[template])))
    worker.start()
    worker.join()
    assert seen and seen[0] is not parser


def test_threads_get_fresh_results(expected):
    failures: list[str] = []

    def work(offset: int) -> None:
        for case, name, template, text in JOBS[offset:] + JOBS[:offset]:
            if run_template(template, text) != expected[case, name]:
                failures.append(f"{case}:{name}")

    workers = [threading.Thread(target=work, args=(i * 7,)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert failures == []


def test_a_run_that_raised_is_not_reused(monkeypatch, expected):
    case, name, template, text = JOBS[0]
    run_template(template, text)
    broken = parse_ttp._compiled.parsers[template]

    def fail(self, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ttp, "parse", fail)
    with pytest.raises(RuntimeError):
        run_template(template, text)
    monkeypatch.undo()
    assert run_template(template, text) == expected[case, name]
    assert parse_ttp._compiled.parsers[template] is not broken
