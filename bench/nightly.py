"""Benchmark the nightly run at several sizes: per-stage wall time and peak memory, pairs compared,
and the ratio to a plain Splink dedupe of the same standardised records.

    .venv/bin/python bench/nightly.py --persons 10000 100000 1000000 [--incremental] [--skip-plain]
                                      [--delta-share 0.01]

For each size it generates the demo (cached under bench/out/<N>/), runs the nightly job
in-process while a sampler thread records this process's RSS every 50 ms, then maps each
Dagster step's start/end to a stage and prints the stage's wall time and peak RSS. Figures,
not assertions: timed asserts are flaky on shared machines.

Reading the ratios (issue 8 targets: identity <= 2x plain Splink, incremental < 20% of full):
- "identity step / plain" compares like with like: bench/plain_splink.py dedupes the same
  staging.identity_records with the same DuckDB threads and memory. The whole nightly run
  also ingests, standardises and publishes, which plain Splink does not do.
- "incremental / full" is printed for the whole run and for the identity step; a delta batch
  is generated after the full run (bench/out/<N>/.incremented then forces a fresh demo): new
  persons and edited records, each --delta-share of the base (default 1% + 1%; 0.005 gives the
  1% of new or changed records that issue 8's target names).
- Peak RSS is the whole process (Dagster, Polars and DuckDB together), per stage window.
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

# step key prefix (asset key with "/", or the op name of a multi-asset) -> stage name printed
IDENTITY = "identity (train+predict+cluster)"
STAGES = [
    ("raw/", "ingest"), ("gdpr/erasure_requests", "ingest"),
    ("staging/", "standardise"),
    ("identity", IDENTITY),
    ("marts/golden", "golden"), ("marts/customer_orders", "golden"), ("customer_360", "golden"),
    ("golden_records", "golden"),
    ("marts/customer_rfm", "rfm"), ("rfm_segments", "rfm"),
    ("marts/consent", "audiences"), ("marts/suppressions", "audiences"), ("marts/audience", "audiences"),
    ("gdpr/", "privacy"), ("privacy_purges", "privacy"),
    ("bi/published", "publish"), ("bi/", "bi views"),
]
CHECKS_PREFIX = "check:"
# identity metrics (run metadata, no personal data) printed after each run
IDENTITY_FIGURES = ("mode", "model_trained", "comparisons", "comparisons_per_record")


def rss_bytes() -> int:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Sampler(threading.Thread):
    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True)
        # not `_stop`: threading.Thread has a private method of that name
        self.interval, self.samples, self._done = interval, [], threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.samples.append((time.time(), rss_bytes()))
            time.sleep(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()

    def peak(self, t0: float, t1: float) -> int:
        return max((r for t, r in self.samples if t0 <= t <= t1), default=0)


def stage_of(step_key: str) -> str:
    if step_key.startswith(CHECKS_PREFIX):
        return "checks"
    key = step_key.replace("__", "/")
    for prefix, stage in STAGES:
        if key.startswith(prefix):
            return stage
    return "checks" if "check" in key else key


def step_windows(instance, run_id: str) -> tuple[dict[str, tuple[float, float]], dict[str, object]]:
    """Each step's (start, end) epoch seconds from the run's event log (events carry no time),
    and the identity step's metrics from its materialization metadata (the privacy purge's phase
    seconds under "privacy_" keys)."""
    starts, windows, figures, checking, materialising = {}, {}, {}, set(), set()
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            checking.add(event.step_key)
        elif event.event_type_value == "ASSET_MATERIALIZATION":
            materialising.add(event.step_key)
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in starts:
            windows[event.step_key] = (starts[event.step_key], entry.timestamp)
        elif event.is_step_materialization and event.step_key.startswith("identity"):
            for key, value in event.step_materialization_data.materialization.metadata.items():
                if key in IDENTITY_FIGURES or key.startswith("seconds_"):
                    figures[key] = value.value
        elif event.is_step_materialization and event.step_key == "privacy_purges":
            for key, value in event.step_materialization_data.materialization.metadata.items():
                if key.startswith("seconds_"):
                    figures["privacy_" + key] = value.value
    # a step that only evaluates checks (an @asset_check op) is the "checks" stage
    for step in checking - materialising:
        if step in windows:
            windows[CHECKS_PREFIX + step] = windows.pop(step)
    return windows, figures


def run_size(persons: int, incremental: bool, skip_plain: bool, delta_share: float) -> None:
    from dagster import DagsterInstance

    from cdp_pipeline.config import load_config
    from cdp_pipeline.definitions import NIGHTLY_JOB, build_definitions
    from cdp_pipeline.synth import generate

    out = ROOT / "bench" / "out" / str(persons)
    # A delta batch (the full run would not be a first run) or an interrupted generation: start again.
    if (out / ".incremented").exists() or not (out / ".generated").exists():
        shutil.rmtree(out, ignore_errors=True)
        t = time.monotonic()
        generate(out, persons=persons, seed=7)
        (out / ".generated").touch()
        print(f"[{persons:,}] generated in {time.monotonic() - t:.1f}s")
    for stale in out.glob("warehouse*.duckdb*"):
        stale.unlink()
    shutil.rmtree(out / "models", ignore_errors=True)
    cfg = load_config(out / "cdp.yaml")
    os.environ["CDP_CONFIG"] = str(cfg.path)

    def one_run(label: str) -> tuple[float, float]:
        """Whole nightly run and identity step wall seconds."""
        defs = build_definitions(cfg)
        job = defs.resolve_job_def(NIGHTLY_JOB)
        sampler = Sampler()
        sampler.start()
        t0 = time.time()
        with DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(
                instance=instance, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            )
            total = time.time() - t0
            sampler.stop()
            windows, figures = step_windows(instance, result.run_id)
        per_stage: dict[str, list[float]] = {}
        for step, (a, b) in windows.items():
            stage = per_stage.setdefault(stage_of(step), [0.0, 0])
            stage[0] += b - a
            stage[1] = max(stage[1], sampler.peak(a, b))
        print(f"\n[{persons:,} persons] {label}: {'ok' if result.success else 'FAILED'} in {total:.1f}s, "
              f"peak RSS {max(r for _, r in sampler.samples) / 2**30:.2f} GiB")
        print(f"  {'stage':32s} {'wall s':>8s} {'peak GiB':>9s}")
        for stage, (secs, peak) in sorted(per_stage.items(), key=lambda kv: -kv[1][0]):
            print(f"  {stage:32s} {secs:8.1f} {peak / 2**30:9.2f}")
        slowest = sorted(windows.items(), key=lambda kv: kv[1][0] - kv[1][1])[:10]
        print("  slowest steps (s): " + ", ".join(f"{step} {b - a:.1f}" for step, (a, b) in slowest))
        print("  identity: " + ", ".join(f"{k} {figures.get(k)}" for k in IDENTITY_FIGURES))
        for stage, prefix in (("identity", "seconds_"), ("privacy", "privacy_seconds_")):
            phases = {k.removeprefix(prefix): v for k, v in figures.items() if k.startswith(prefix)}
            if phases:
                print(f"  {stage} phases (s): " + ", ".join(f"{k} {v}" for k, v in phases.items()))
        return total, per_stage.get(IDENTITY, [0.0])[0]

    full, full_identity = one_run("full nightly run")
    _print_linkage_figures(cfg)
    if not skip_plain:  # before the delta batch: same records as the full run
        from bench.plain_splink import run_plain

        plain = run_plain(cfg)
        print(f"[{persons:,} persons] plain Splink {plain:.1f}s; identity step / plain = "
              f"{full_identity / plain:.2f}; whole nightly run / plain = {full / plain:.2f}")
    if incremental:
        generate(out, persons=persons, seed=7, increment=1, delta_share=delta_share)
        (out / ".incremented").touch()
        inc, inc_identity = one_run(f"incremental run ({delta_share:.1%} new + {delta_share:.1%} edited)")
        print(f"  incremental / full: whole run {inc / full:.2f}, identity step {inc_identity / full_identity:.2f}")


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
    parser.add_argument("--incremental", action="store_true", help="also time a delta run")
    parser.add_argument("--delta-share", type=float, default=0.01,
                        help="new persons and edited records in the delta, each as a share of the base")
    parser.add_argument("--skip-plain", action="store_true", help="skip the plain Splink baseline")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB")
    for n in args.persons:
        run_size(n, args.incremental, args.skip_plain, args.delta_share)


if __name__ == "__main__":
    main()
