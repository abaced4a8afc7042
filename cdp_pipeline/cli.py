"""`cdp`: the command line of cdp_pipeline.

Every command prints a short, personal-data-free summary and exits non-zero with a one-line
reason on failure (no stack trace for expected problems: bad config, bad extract, failed check).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from cdp_pipeline.config import ConfigError, load_config


def _config_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="config file (default: $CDP_CONFIG, else ./cdp.yaml)")


def _use_config(args) -> Path:
    """Resolve the config once and export it, so Dagster's code (which reads $CDP_CONFIG) agrees."""
    path = Path(args.config or os.environ.get("CDP_CONFIG") or "cdp.yaml").resolve()
    os.environ["CDP_CONFIG"] = str(path)
    return path


def cmd_run(args) -> int:
    from cdp_pipeline.runner import run_pipeline

    cfg = load_config(_use_config(args))
    started = time.monotonic()
    outcome = run_pipeline(cfg, selection=args.select)
    elapsed = time.monotonic() - started
    if not outcome.success:
        print(f"cdp run failed: {outcome.failure}", file=sys.stderr)
        return 1
    print(f"cdp run ok in {elapsed:.1f}s  (warehouse: {cfg.warehouse}, published: {cfg.publish_path})")
    for line in outcome.summary_lines():
        print("  " + line)
    return 0


def cmd_generate(args) -> int:
    from cdp_pipeline.synth import generate

    out = Path(args.out)
    started = time.monotonic()
    summary = generate(out, persons=args.persons, seed=args.seed, increment=args.increment,
                       delta_share=args.delta_share)
    print(f"generated {args.persons} persons (seed {args.seed}, batch {args.increment}) into {out} "
          f"in {time.monotonic() - started:.1f}s")
    for key in ("counts", "hard_cases_injected", "corruptions"):
        print(f"  {key}: {summary.get(key)}")
    print(f"  files: {len(summary.get('files', {}))} written; ground truth in {out / 'truth'}")
    return 0


def cmd_evaluate(args) -> int:
    from cdp_pipeline.identity.evaluate import evaluate
    from cdp_pipeline.warehouse import connect

    cfg = load_config(_use_config(args))
    with connect(cfg.warehouse, read_only=True) as con:
        report = evaluate(con, args.truth, worst=args.worst)
    worst = report.pop("worst_clusters", [])
    for key, value in report.items():
        print(f"{key:>20}: {value:.4f}" if isinstance(value, float) else f"{key:>20}: {value}")
    if worst:
        print("worst clusters (customer_id, records, true persons, wrongly merged pairs):")
        for row in worst:
            print(f"  {row['customer_id']}, {row['records']}, {row['persons']}, {row['false_pairs']}")
    return 0


def cmd_retrain(args) -> int:
    from cdp_pipeline.identity.train import retrain
    from cdp_pipeline.warehouse import connect

    cfg = load_config(_use_config(args))
    with connect(cfg.warehouse) as con:
        model = retrain(con, cfg)
    print(f"trained model {model.version} on {model.records:,} records -> {model.path}")
    print("the next `cdp run` relinks every record with it")
    return 0


def cmd_customer(args) -> int:
    from cdp_pipeline.marts.customer_360 import customer_360_text
    from cdp_pipeline.warehouse import connect

    cfg = load_config(_use_config(args))
    with connect(cfg.warehouse, read_only=True) as con:
        print(customer_360_text(con, args.customer_id))
    return 0


def cmd_quality(args) -> int:
    from cdp_pipeline.quality.report import last_run_report

    cfg = load_config(_use_config(args))
    text, error_failed = last_run_report(cfg.warehouse)
    print(text)
    return 1 if error_failed else 0


def cmd_dsar(args) -> int:
    from cdp_pipeline.privacy import dsar_export
    from cdp_pipeline.warehouse import connect

    cfg = load_config(_use_config(args))
    with connect(cfg.warehouse, read_only=True) as con:
        path = dsar_export(con, cfg, email=args.email, phone=args.phone, out_path=args.out)
    print(f"access request export written to {path} (personal data: hand it to the requester securely)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cdp", description="cdp_pipeline: batch Customer Data Platform")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="materialise the whole asset graph in-process (the nightly run)")
    _config_arg(p)
    p.add_argument("--select", help="Dagster asset selection (default: everything)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("generate", help="write realistic demo extracts + config + ground truth")
    p.add_argument("--persons", type=int, default=3000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", default="data/landing")
    p.add_argument("--increment", type=int, default=0, help="k>0: write delta batch k (new + edited records)")
    p.add_argument("--delta-share", type=float, default=0.01)
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("evaluate", help="score the clustering against a ground-truth file")
    _config_arg(p)
    p.add_argument("--truth", required=True, help="CSV with source, source_record_id, person_id")
    p.add_argument("--worst", type=int, default=10, help="how many worst clusters to list (by id only)")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("customer", help="print one customer's 360 view (for a support agent)")
    _config_arg(p)
    p.add_argument("customer_id")
    p.set_defaults(func=cmd_customer)

    p = sub.add_parser("quality", help="the last run's data-quality checks; exit 1 if an ERROR check failed")
    _config_arg(p)
    p.set_defaults(func=cmd_quality)

    p = sub.add_parser("dsar", help="RGPD access request: everything held about one person, as one JSON file")
    _config_arg(p)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--email")
    who.add_argument("--phone")
    p.add_argument("--out", help="output file (default: a private folder beside the warehouse)")
    p.set_defaults(func=cmd_dsar)

    p = sub.add_parser("retrain", help="train a new Splink model now (next run relinks everything)")
    _config_arg(p)
    p.set_defaults(func=cmd_retrain)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"cdp {args.command}: config error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
