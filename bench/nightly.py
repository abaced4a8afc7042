"""Benchmark the nightly run at several sizes: per-stage wall time and peak memory, pairs compared,
and the ratio to a plain Splink dedupe of the same standardised records.

    .venv/bin/python bench/nightly.py --persons 10000 100000 1000000 [--incremental] [--skip-plain]

For each size it generates the demo (cached under bench/out/<N>/), runs the nightly job
in-process while a sampler thread records this process's RSS every 50 ms, then maps each
Dagster step's start/end to a stage and prints the stage's wall time and peak RSS. Figures,
not assertions: timed asserts are flaky on shared machines.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# asset key prefix -> stage name printed
STAGES = [
    ("raw/", "ingest"), ("gdpr/erasure_requests", "ingest"),
    ("staging/", "standardise"),
    ("identity/", "link (train+predict+cluster)"),
    ("marts/golden", "golden"), ("marts/customer_orders", "golden"),
    ("marts/customer_rfm", "rfm"),
    ("marts/consent", "audiences"), ("marts/suppressions", "audiences"), ("marts/audience", "audiences"),
    ("gdpr/", "privacy"),
    ("bi/published", "publish"), ("bi/", "bi views"),
]


def rss_bytes() -> int:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Sampler(threading.Thread):
    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True)
        self.interval, self.samples, self._stop = interval, [], threading.Event()

    def run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), rss_bytes()))
            time.sleep(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self.join()

    def peak(self, t0: float, t1: float) -> int:
        return max((r for t, r in self.samples if t0 <= t <= t1), default=0)


def stage_of(step_key: str) -> str:
    key = step_key.replace("__", "/")
    for prefix, stage in STAGES:
        if key.startswith(prefix):
            return stage
    return "checks" if "check" in key else key


def step_windows(result) -> dict[str, tuple[float, float]]:
    starts, windows = {}, {}
    for event in result.all_events:
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = event.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in starts:
            windows[event.step_key] = (starts[event.step_key], event.timestamp)
    return windows


def run_size(persons: int, incremental: bool, skip_plain: bool) -> None:
    from dagster import DagsterInstance

    from cdp_pipeline.config import load_config
    from cdp_pipeline.definitions import NIGHTLY_JOB, build_definitions
    from cdp_pipeline.synth import generate

    out = ROOT / "bench" / "out" / str(persons)
    if not (out / "cdp.yaml").exists():
        t = time.monotonic()
        generate(out, persons=persons, seed=7)
        print(f"[{persons:,}] generated in {time.monotonic() - t:.1f}s")
    for stale in out.glob("warehouse*.duckdb*"):
        stale.unlink()
    shutil.rmtree(out / "models", ignore_errors=True)
    cfg = load_config(out / "cdp.yaml")
    os.environ["CDP_CONFIG"] = str(cfg.path)

    def one_run(label: str) -> float:
        defs = build_definitions(cfg)
        job = defs.resolve_job_def(NIGHTLY_JOB)
        sampler = Sampler()
        sampler.start()
        t0 = time.time()
        with DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(instance=instance, raise_on_error=False)
        total = time.time() - t0
        sampler.stop()
        per_stage: dict[str, list[float]] = {}
        for step, (a, b) in step_windows(result).items():
            stage = per_stage.setdefault(stage_of(step), [0.0, 0])
            stage[0] += b - a
            stage[1] = max(stage[1], sampler.peak(a, b))
        print(f"\n[{persons:,} persons] {label}: {'ok' if result.success else 'FAILED'} in {total:.1f}s, "
              f"peak RSS {max(r for _, r in sampler.samples) / 2**30:.2f} GiB")
        print(f"  {'stage':32s} {'wall s':>8s} {'peak GiB':>9s}")
        for stage, (secs, peak) in sorted(per_stage.items(), key=lambda kv: -kv[1][0]):
            print(f"  {stage:32s} {secs:8.1f} {peak / 2**30:9.2f}")
        return total

    full = one_run("full nightly run")
    _print_linkage_figures(cfg)
    if incremental:
        from cdp_pipeline.synth import generate as gen

        gen(out, persons=persons, seed=7, increment=1)
        inc = one_run("incremental run (1% new + 1% edited)")
        print(f"  incremental / full = {inc / full:.2f}")
    if not skip_plain:
        from bench.plain_splink import run_plain

        plain = run_plain(cfg)
        print(f"\n[{persons:,} persons] plain Splink dedupe: {plain:.1f}s; pipeline / plain Splink = {full / plain:.2f}")


def _print_linkage_figures(cfg) -> None:
    import duckdb

    con = duckdb.connect(str(cfg.warehouse), read_only=True)
    try:
        records = con.execute("SELECT count(*) FROM staging.identity_records").fetchone()[0]
        pairs = con.execute("SELECT count(*) FROM identity.record_links").fetchone()[0]
        customers = con.execute("SELECT count(DISTINCT customer_id) FROM identity.customer_xref").fetchone()[0]
        print(f"  records {records:,}, links kept {pairs:,}, customers {customers:,}")
    except duckdb.Error as exc:
        print(f"  linkage figures unavailable ({exc.__class__.__name__})")
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, nargs="+", default=[10_000])
    parser.add_argument("--incremental", action="store_true", help="also time a 1%% delta run")
    parser.add_argument("--skip-plain", action="store_true", help="skip the plain Splink baseline")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB")
    for n in args.persons:
        run_size(n, args.incremental, args.skip_plain)


if __name__ == "__main__":
    main()
