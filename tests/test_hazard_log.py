"""The clinical hazard log's check (tools/hazard_log.py), which `make check` runs on docs/safety/."""

import copy

from tools import hazard_log


def _log():
    return hazard_log.load()


def test_every_test_the_hazard_log_names_exists_and_the_markdown_is_current():
    log = _log()
    assert hazard_log.check(log) == []
    assert hazard_log.MARKDOWN.read_text(encoding="utf-8") == hazard_log.render(log)
    assert hazard_log.main(["--check"]) == 0


def test_a_test_that_no_longer_exists_fails_the_check_and_is_named():
    log = copy.deepcopy(_log())
    control = log["hazard"][0]["controls"][0]
    renamed = control["tests"][0] + "_renamed"
    control["tests"].append(renamed)
    problems = hazard_log.check(log)
    assert len(problems) == 1
    assert renamed in problems[0]
    assert problems[0].startswith(f"{log['hazard'][0]['id']}, control 1:")


def test_a_missing_file_and_a_malformed_id_fail_the_check():
    log = copy.deepcopy(_log())
    control = log["hazard"][1]["controls"][0]
    control["tests"] = ["tests/test_gone.py::test_anything", "tests/test_permission_matrix.py"]
    problems = hazard_log.check(log)
    assert any("no file tests/test_gone.py" in problem for problem in problems)
    assert any("not a pytest node id" in problem for problem in problems)


def test_a_control_without_tests_and_a_hazard_without_controls_fail_the_check():
    log = copy.deepcopy(_log())
    log["hazard"][0]["controls"][0]["tests"] = []
    log["hazard"][1]["controls"] = []
    problems = hazard_log.check(log)
    assert f"{log['hazard'][0]['id']}, control 1: names no test that proves it" in problems
    assert f"{log['hazard'][1]['id']}: no controls" in problems


def test_tests_in_classes_and_parametrised_cases_are_found(tmp_path):
    (tmp_path / "test_example.py").write_text(
        "class TestOuter:\n"
        "    class TestInner:\n"
        "        def test_deep(self): ...\n"
        "    async def test_async(self): ...\n"
        "def test_plain(): ...\n"
        "def helper_not_a_test(): ...\n",
        encoding="utf-8",
    )
    for node_id in (
        "test_example.py::TestOuter::TestInner::test_deep",
        "test_example.py::TestOuter::test_async",
        "test_example.py::test_plain",
        "test_example.py::test_plain[case-1]",
    ):
        assert hazard_log.missing_test(node_id, tmp_path) is None
    assert hazard_log.missing_test("test_example.py::test_deep", tmp_path) is not None
    assert hazard_log.missing_test("test_example.py::helper_not_a_test", tmp_path) is not None


def test_ratings_follow_the_dcb0129_matrix_and_a_risk_may_not_rise():
    assert hazard_log.rating({"likelihood": "very-low", "severity": "minor"}) == 1
    assert hazard_log.rating({"likelihood": "medium", "severity": "considerable"}) == 3
    assert hazard_log.rating({"likelihood": "very-low", "severity": "catastrophic"}) == 3
    assert hazard_log.rating({"likelihood": "very-high", "severity": "catastrophic"}) == 5
    log = copy.deepcopy(_log())
    hazard = log["hazard"][0]
    hazard["residual"] = {"likelihood": "very-high", "severity": "catastrophic"}
    problems = hazard_log.check(log)
    assert f"{hazard['id']}: the residual risk (5) is above the initial risk (4)" in problems
    assert f"{hazard['id']}: a residual risk of 5 is unacceptable" in problems


def test_an_unknown_likelihood_is_refused_by_name():
    log = copy.deepcopy(_log())
    log["hazard"][2]["initial"]["likelihood"] = "rare"
    problems = hazard_log.check(log)
    assert any("initial likelihood must be one of very-low" in problem for problem in problems)
