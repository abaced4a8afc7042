"""What the identity run did, for Dagster metadata (counts only) and for engineers (HTML charts).

Why two outputs: run metadata is visible to everyone with Dagster access and is kept forever,
so it holds counts and sizes only, never a name or an identifier. The Splink charts show
record values by design; they are written under `artifacts_dir`, which only data engineers
read, and are overwritten by the next run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from splink import Linker
from splink.internals.splink_dataframe import SplinkDataFrame

from cdp_pipeline.identity.session import Session

SIZE_BUCKETS = "CASE WHEN n >= 10 THEN '10+' WHEN n >= 5 THEN '5-9' ELSE CAST(n AS VARCHAR) END"


def linkage_metrics(mem: duckdb.DuckDBPyConnection, clusters_table: str, edges_table: str,
                    n_records: int, comparisons: int | None) -> dict[str, Any]:
    """Counts and sizes only. `comparisons` is None on incremental runs (nothing re-blocked)."""
    sizes = f"SELECT cluster_id, count(*) AS n FROM {clusters_table} GROUP BY cluster_id"
    n_clusters, n_singletons = mem.execute(
        f"SELECT count(*), count(*) FILTER (WHERE n = 1) FROM ({sizes})").fetchone()
    distribution = dict(mem.execute(
        f"SELECT {SIZE_BUCKETS} AS b, count(*) FROM ({sizes}) GROUP BY b ORDER BY min(n)").fetchall())
    largest = [n for (n,) in mem.execute(f"SELECT n FROM ({sizes}) ORDER BY n DESC LIMIT 5").fetchall()]
    links, above = mem.execute(
        f"SELECT count(*), count(*) FILTER (WHERE match_key NOT LIKE 'deterministic:%') FROM {edges_table}"
    ).fetchone()
    return {
        "records": n_records,
        "comparisons": comparisons,
        "comparisons_per_record": round(comparisons / n_records, 2) if comparisons and n_records else None,
        "record_links": int(links),
        "scored_links": int(above),
        "deterministic_links": int(links - above),
        "clusters": int(n_clusters),
        "singletons": int(n_singletons),
        "cluster_size_distribution": {str(k): int(v) for k, v in distribution.items()},
        "largest_clusters": largest,
    }


def write_charts(linker: Linker, s: Session, predictions: SplinkDataFrame,
                 clusters: SplinkDataFrame, artifacts_dir: Path, sample: int = 10) -> list[str]:
    """Match weights chart, a waterfall of sampled pairs and cluster studio (personal data)."""
    out = Path(artifacts_dir) / "identity"
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "match_weights.html", out / "waterfall.html", out / "cluster_studio.html"]
    paths[0].write_text(linker.visualisations.match_weights_chart().to_html(), encoding="utf-8")
    pairs = s.mem.execute(
        f"SELECT * FROM {predictions.physical_name} USING SAMPLE reservoir({sample} ROWS) REPEATABLE (42)"
    ).df().to_dict("records")
    if pairs:
        paths[1].write_text(linker.visualisations.waterfall_chart(pairs).to_html(), encoding="utf-8")
    multi = s.mem.execute(
        f"SELECT count(*) FROM (SELECT cluster_id FROM {clusters.physical_name} GROUP BY 1 HAVING count(*) > 1)"
    ).fetchone()[0]
    if multi:  # Splink's sampler writes `IN ()` when no cluster has two records
        linker.visualisations.cluster_studio_dashboard(
            predictions, clusters, str(paths[2]), sampling_method="by_cluster_size",
            sample_size=sample, overwrite=True,
        )
    return [str(p) for p in paths if p.exists()]
