"""Crawl the replica with the project's spider: ``python -m tests.replica.demo [--output DIR]``.

Starts the replica in this process (a thread) on a fixed loopback port (``--port``), runs
``scrapy crawl analyst -a base_url=<replica>`` from the repository root, streams its output,
stops the replica and exits with the crawl's exit status. The port stays the same from run to
run, so that running the demo again re-crawls the same site into the same archive (and finds
nothing new) instead of mixing two addresses in one collection.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from .server import ReplicaServer

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_PORT = 47563  # fixed: the archive of one demo site keeps one address


def crawl_command(base_url: str, output: str, extra: list[str] | None = None) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "analyst",
        "-a",
        f"base_url={base_url}",
        "-s",
        f"OUTPUT_DIR={output}",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "LOG_LEVEL=WARNING",
        *(extra or []),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Crawl the CACI Analyst replica.")
    parser.add_argument("--output", default="output/demo", help="OUTPUT_DIR of the crawl")
    parser.add_argument("--log", default=None, help="also write the replica's log (JSON lines)")
    parser.add_argument("--port", type=int, default=DEMO_PORT, help="the replica's port")
    args, extra = parser.parse_known_args(argv)

    try:
        server = ReplicaServer(port=args.port, log_path=args.log).start()
    except OSError as exc:
        print(f"error: cannot serve the replica on port {args.port}: {exc.strerror}; "
              "choose another with --port", file=sys.stderr)  # fmt: skip
        return 2
    with server:
        print(f"replica serving at {server.base_url}", flush=True)
        cmd = crawl_command(server.base_url, args.output, extra)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
            code = proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            try:
                code = proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            code = code or 130
        log = server.log
    statuses = Counter(entry["status"] for entry in log)
    summary = ", ".join(f"{n} x {status}" for status, n in sorted(statuses.items()))
    print(f"replica answered {len(log)} requests ({summary or 'none'})", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
