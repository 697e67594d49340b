"""A real Dask cluster on 127.0.0.1 for the tests: `dask scheduler` and `dask worker` processes
from the test's own virtualenv, as a user starts them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.helpers import BIN


class DaskCluster:
    """``with DaskCluster(tmp, workers=2) as cluster: cluster.address``.

    Workers run without a nanny unless asked (``nanny=True``): a worker killed by a test then
    stays dead, as a lost machine does; with a nanny it is started again, as a crashed process
    is. ``env`` adds settings (``DASK_DISTRIBUTED__...``) to every process.
    """

    def __init__(self, folder: Path, workers: int = 2, nanny: bool = False, env=None, preload=()):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.scheduler_file = folder / "scheduler.json"
        self.env = {**os.environ, **(env or {})}
        self.nanny = nanny
        self.preload = list(preload)
        self.n_workers = workers
        self.scheduler: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.address = ""

    def _start(self, cmd: list[str], log: str) -> subprocess.Popen:
        out = open(self.folder / log, "ab")  # noqa: SIM115 - kept by the child process
        return subprocess.Popen(cmd, stdout=out, stderr=out, env=self.env, cwd=self.folder)

    def __enter__(self) -> DaskCluster:
        self.scheduler = self._start(
            [
                str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(self.scheduler_file),
            ],
            "scheduler.log",
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not self.scheduler_file.exists():
            if time.monotonic() > deadline or self.scheduler.poll() is not None:
                self.__exit__()
                raise RuntimeError((self.folder / "scheduler.log").read_text()[-2000:])
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written whole before the scheduler listens
        self.address = json.loads(self.scheduler_file.read_text())["address"]
        for _ in range(self.n_workers):
            self.add_worker()
        self.wait_for_workers(self.n_workers)
        return self

    def add_worker(self) -> subprocess.Popen:
        n = len(self.workers)
        cmd = [
            str(BIN / "dask"), "worker", self.address, "--nthreads", "1", "--no-dashboard",
            "--memory-limit", "0", "--death-timeout", "60", "--name", f"w{n}",
            "--local-directory", str(self.folder / f"w{n}"),
        ]  # fmt: skip
        cmd.append("--nanny" if self.nanny else "--no-nanny")
        for module in self.preload:
            cmd += ["--preload", module]
        worker = self._start(cmd, f"worker-{n}.log")
        self.workers.append(worker)
        return worker

    def client(self):
        from distributed import Client

        return Client(self.address, timeout=30, set_as_default=False)

    def wait_for_workers(self, n: int) -> None:
        with self.client() as client:
            client.wait_for_workers(n, timeout=120)

    def __exit__(self, *exc) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [*self.workers, self.scheduler]:
            if proc is None:
                continue
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
