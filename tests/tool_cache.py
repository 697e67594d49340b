"""Third-party replay tools the tests run, kept out of the project's virtualenv.

pywb pins packages of its own (and pulls in brotlipy, which shadows the ``brotli`` module
Scrapy decodes with), so it lives in a virtualenv of its own; ReplayWeb.page is the built app
of the ``replaywebpage`` npm package. Both are made on first use under one cache folder
(``CACI_TEST_TOOLS``, default ``~/.cache/caci-analyst-archiver``) and reused after; `.ci/run`
prepares them up front. A test that needs a tool which cannot be installed here is skipped
with the reason (under CI it fails instead: CI must have them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

PYWB_REQUIREMENT = "pywb>=2.8"
REPLAYWEBPAGE = "replaywebpage@2.5.3"  # the app the README tells librarians to open


def cache_dir() -> Path:
    base = (
        os.environ.get("CACI_TEST_TOOLS")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "caci-analyst-archiver"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str):
    if under_ci():
        pytest.fail(f"{reason} (CI must prepare it: see .ci/run)")
    pytest.skip(reason)


def _run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=900)


def pywb_bin() -> Path:
    """The bin folder of pywb's own virtualenv, made (pip install) on first use."""
    venv = cache_dir() / "pywb-venv"
    ready = venv / "installed"
    if not ready.is_file():
        shutil.rmtree(venv, ignore_errors=True)
        made = _run([sys.executable, "-m", "venv", str(venv)])
        if made.returncode == 0:
            made = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                         PYWB_REQUIREMENT])  # fmt: skip
        if made.returncode != 0:
            last = (made.stderr or made.stdout).strip().splitlines()[-1:] or ["?"]
            unavailable(f"pywb could not be installed in its own virtualenv {venv}: {last[0]}")
        ready.write_text(PYWB_REQUIREMENT + "\n")
    return venv / "bin"


def replaywebpage_app() -> Path:
    """The folder of the built ReplayWeb.page app (index.html, ui.js, sw.js): `npm pack`ed
    into the cache once (`npm install replaywebpage` fails on its dependency tree)."""
    app = cache_dir() / REPLAYWEBPAGE.replace("@", "-")
    if (app / "sw.js").is_file() and (app / "ui.js").is_file():
        return app
    npm = shutil.which("npm")
    if npm is None:
        unavailable("npm is missing: ReplayWeb.page comes from the npm registry")
    packs = cache_dir() / "npm-pack"
    packs.mkdir(exist_ok=True)
    packed = _run([npm, "pack", REPLAYWEBPAGE, "--silent"], cwd=packs)
    name = packed.stdout.strip().splitlines()[-1:] if packed.returncode == 0 else []
    if not name or not (packs / name[0]).is_file():
        unavailable(f"npm pack {REPLAYWEBPAGE} failed: {(packed.stderr or '?').strip()[-300:]}")
    partial = app.with_name(app.name + ".open")
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(packs / name[0]) as tar:
        tar.extractall(partial, filter="data")
    shutil.rmtree(app, ignore_errors=True)
    (partial / "package").rename(app)
    shutil.rmtree(partial)
    return app


if __name__ == "__main__":  # `.ci/run`: prepare both before the tests run
    print(pywb_bin())
    print(replaywebpage_app())
