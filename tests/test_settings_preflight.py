"""Every setting the README documents is checked before the crawl: a wrong type or a value out
of range is one `error:` line naming the setting, exit status 2, no traceback, nothing written.
"""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crawler.errors import PreflightError
from crawler.preflight import RULES, Rule, check_settings, check_value
from tests.helpers import BIN, ROOT

# no setting reaches the network before its check fails; this address is never contacted
BASE = "http://127.0.0.1:9/"


def documented_settings() -> set[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("\n## Settings", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", first))
    return names


def bad_values(rule: Rule) -> list[str]:
    """A wrong type and an out-of-range value for the rule, as typed after -s NAME=."""
    if rule.kind == "bool":
        return ["maybe", "2"]
    if rule.kind in ("int", "float"):
        values = ["abc"]
        if rule.low is not None:
            values.append(str(rule.low - 1 if rule.kind == "int" else rule.low - 0.5))
        if rule.high is not None:
            values.append(str(int(rule.high + 1)))
        if rule.kind == "int":
            values.append("1.5")
        return values
    if rule.kind == "ints":
        return ["abc", "99"]
    if rule.kind == "choice":
        return ["bogus"]
    if rule.kind == "dict":
        return ["{not json"]
    return {
        "url": ["not a url", ""],
        "url?": ["not a url"],
        "name": ["a/b", ""],
        "name?": ["a/b"],
        "nonempty": [""],
    }.get(rule.check, [])


def test_every_documented_setting_has_a_rule():
    missing = documented_settings() - set(RULES)
    assert not missing, f"documented but never checked: {sorted(missing)}"


def test_the_project_defaults_pass():
    from scrapy.utils.project import get_project_settings

    check_settings(get_project_settings())


@pytest.mark.parametrize(
    ("value", "ok"),
    [("true", True), ("False", True), ("1", True), ("maybe", False), ("2", False)],
)
def test_booleans(value, ok):
    if ok:
        check_value("X", Rule("bool"), value)
    else:
        with pytest.raises(PreflightError, match="X must be true or false, got 'maybe'|got '2'"):
            check_value("X", Rule("bool"), value)


def test_a_typo_in_a_setting_name_is_refused():
    with pytest.raises(PreflightError, match="unknown setting WARC_MAXSIZE; did you mean"):
        check_settings({}, given={"WARC_MAXSIZE"}, known={"WARC_MAX_SIZE"})


def run(name: str, value: str, out: Path) -> subprocess.CompletedProcess:
    cmd = [str(BIN / "scrapy"), "crawl", "analyst", "-a", f"base_url={BASE}",
           "-s", f"OUTPUT_DIR={out}", "-s", f"{name}={value}"]  # fmt: skip
    if name == "OUTPUT_DIR":
        cmd = cmd[:-4] + cmd[-2:]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_every_documented_setting_refuses_bad_values(tmp_path):
    cases = [
        (name, value) for name in sorted(documented_settings()) for value in bad_values(RULES[name])
    ]
    assert len(cases) > 60
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda c: (c, run(*c, tmp_path / f"out-{cases.index(c)}")), cases))
    for (name, value), proc in results:
        where = f"{name}={value!r}"
        assert proc.returncode == 2, (where, proc.returncode, proc.stderr[-1500:])
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), (where, proc.stderr[-1500:])
        assert name in lines[0], (where, lines[0])
        assert "Traceback" not in proc.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not written, f"files written: {written[:5]}"
