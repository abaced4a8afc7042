"""Ingest group: one `raw/<source>` asset per configured source, plus the erasure requests.

The assets are generated from the config, so adding a channel is a YAML edit. Each load is
accounted for in `audit.file_loads` and rows it can't use go to `quarantine.rejected_rows`.
"""


from dagster import AssetExecutionContext, AssetsDefinition, Failure, MaterializeResult, asset

from cdp_pipeline.assets.common import OWNERS, table_result
from cdp_pipeline.config import Config, Source
from cdp_pipeline.ingest.load import FileResult, SourceError, ensure_audit_tables, load_source
from cdp_pipeline.ingest.erasure_filter import ingest_erasure_filter
from cdp_pipeline.resources import Warehouse


def _summary(results: list[FileResult]) -> dict[str, int]:
    loaded = [r for r in results if r.status == "loaded"]
    return {
        "files_loaded": len(loaded),
        "files_skipped (already loaded)": len(results) - len(loaded),
        "rows_read": sum(r.rows_read for r in loaded),
        "rows_loaded": sum(r.rows_loaded for r in loaded),
        "rows_quarantined": sum(r.rows_quarantined for r in loaded),
        "rows_erased": sum(r.rows_erased for r in loaded),
    }


def _load(context: AssetExecutionContext, warehouse: Warehouse, sources: list[Source]) -> list[FileResult]:
    results: list[FileResult] = []
    with warehouse.connect() as con:
        ensure_audit_tables(con)
        erased = ingest_erasure_filter(warehouse.cfg)
        for source in sources:
            try:
                results += load_source(con, source, erasure_filter=erased)
            except SourceError as exc:
                raise Failure(description=f"source '{source.name}' not loaded: {exc}", allow_retries=False) from None
    for r in results:
        if r.reasons:
            context.log.info(f"{r.file}: quarantined {r.rows_quarantined} row(s): {r.reasons}")
    return results


def raw_asset(source: Source) -> AssetsDefinition:
    mapped = ", ".join(f"{k} <- {v}" for k, v in source.columns.items())

    @asset(
        key=["raw", source.name],
        group_name="ingest",
        kinds={"duckdb", source.format},
        owners=OWNERS,
        tags={"personal_data": "true", "source_kind": source.kind},
        description=(
            f"{source.description or source.kind + ' extract'} from `{source.path}` "
            f"({source.format}{', ' + source.encoding + ', ' + repr(source.delimiter) if source.format == 'csv' else ''}). "
            f"All file columns kept as read, plus _file, _line, _loaded_at. Mapping: {mapped}."
        ),
    )
    def _raw(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        results = _load(context, warehouse, [source])
        with warehouse.connect() as con:
            return table_result(con, [source.table], **_summary(results))

    return _raw


def erasure_requests_asset(cfg: Config) -> AssetsDefinition:
    sources = cfg.sources_of("erasure_requests")

    @asset(
        key=["gdpr", "erasure_requests"],
        group_name="privacy",
        kinds={"duckdb"},
        owners=["team:dpo"],
        tags={"personal_data": "true"},
        description=(
            "Erasure requests (RGPD art. 17) landed straight into gdpr.* (never raw.*); their identifiers are "
            "replaced by salted hashes once applied."
        ),
    )
    def erasure_requests(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        results = _load(context, warehouse, sources)
        with warehouse.connect() as con:
            return table_result(con, ["gdpr.erasure_requests"], **_summary(results))

    return erasure_requests


def ingest_assets(cfg: Config) -> list[AssetsDefinition]:
    return [raw_asset(s) for s in cfg.sources if s.kind != "erasure_requests"] + [erasure_requests_asset(cfg)]
