"""Benchmarks of the learner's loop on the embedded emulator.

Run: `python bench/bench_loop.py [--repeat N]`. Prints the median and worst of
each measurement; nothing here is asserted by the test suite.

- cold start: process start to the first answer of the runner's moto server
- sandbox: minting a fresh account (two IAM users and their keys)
- check: grading a solved s3-multipart-upload in-process
- journal: reading a sandbox's journal holding 500 calls
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from labrunner.backends.moto import MotoBackend
from labrunner.backends.base import free_port
from labrunner.catalog import load
from labrunner.grading import grade
from labrunner.sandbox import Aws
from labrunner.sandboxes import new_sandbox
from labrunner.server import start_process, wait_healthy


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def cold_start(tmp: Path):
    port = free_port()
    process = start_process("moto", port, tmp / f"moto-{port}.log")
    wait_healthy(MotoBackend(f"http://127.0.0.1:{port}"), process, tmp / "moto.log")
    process.terminate()
    process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    lab = load().get("s3-multipart-upload")
    with tempfile.TemporaryDirectory() as tmp:
        results = {"cold start": timed(lambda: cold_start(Path(tmp)), repeat)}
        port = free_port()
        process = start_process("moto", port, Path(tmp) / "moto.log")
        backend = MotoBackend(f"http://127.0.0.1:{port}")
        wait_healthy(backend, process, Path(tmp) / "moto.log")
        try:
            results["sandbox"] = timed(lambda: new_sandbox(lab, backend), repeat)
            sandbox = new_sandbox(lab, backend)
            lab.solution_module().solve(Aws(sandbox, backend, as_learner=True))
            checker = Aws(sandbox, backend)
            results["check"] = timed(lambda: grade(lab, checker, "moto"), repeat)
            learner = Aws(sandbox, backend, as_learner=True)
            for _ in range(500):
                learner.s3.list_buckets()
            results["journal (500 calls)"] = timed(lambda: checker.journal.calls("PutObject"), repeat)
        finally:
            process.terminate()
    for name, samples in results.items():
        print(f"{name:22} median {statistics.median(samples) * 1000:8.1f} ms   worst {max(samples) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
