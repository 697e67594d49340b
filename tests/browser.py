"""Debian's headless Chromium, driven over the Chrome DevTools protocol (websocket-client)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import websocket

from tests.helpers import wait_until

CHROMIUM = Path("/usr/bin/chromium")


@contextlib.contextmanager
def launch_chromium(tmp_path: Path) -> Iterator[CDP]:
    """A fresh headless Chromium (its own profile in ``tmp_path``) and a session on its tab."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir(parents=True)
    log = open(tmp_path / "chromium.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "--remote-debugging-address=127.0.0.1",
            "--window-size=1280,1600",
            # nothing but loopback can be reached, whatever a page asks for
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "about:blank",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"

        def port():
            if proc.poll() is not None:
                raise RuntimeError(f"chromium exited: {(tmp_path / 'chromium.log').read_text()}")
            text = port_file.read_text() if port_file.exists() else ""
            return int(text.split()[0]) if text.strip() else None

        cdp = CDP.connect(wait_until(port, 60, "chromium's DevTools port"))
        yield cdp
        with contextlib.suppress(Exception):  # asked to close, chromium reaps its own helpers
            cdp.call("Browser.close")
            cdp.ws.close()
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log.close()


class CDP:
    """Just enough of the Chrome DevTools protocol, over websocket-client."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events: list[dict] = []

    @classmethod
    def connect(cls, port: int) -> CDP:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            targets = json.load(resp)
        page = next(t for t in targets if t["type"] == "page")
        return cls(websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        ))  # fmt: skip

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def pump(self, seconds: float) -> None:
        """Collect events for up to ``seconds``."""
        self.ws.settimeout(seconds)
        try:
            self.events.append(json.loads(self.ws.recv()))
        except websocket.WebSocketTimeoutException:
            pass
        finally:
            self.ws.settimeout(60)
