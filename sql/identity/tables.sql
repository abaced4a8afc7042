-- Identity tables, created empty on first use so that incremental logic and downstream
-- layers can always read them. Column contract: docs/warehouse.md (identity.*).
-- identity.record_hashes is this layer's memory of what each record looked like to the
-- model at the last run (match_hash from matching_input.sql): incremental runs re-score
-- only records whose hash changed.
CREATE TABLE IF NOT EXISTS identity.record_links (
    record_id_l VARCHAR, record_id_r VARCHAR, match_weight DOUBLE, match_probability DOUBLE,
    match_key VARCHAR, model_version VARCHAR, run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS identity.customer_xref (
    record_id VARCHAR, source VARCHAR, source_record_id VARCHAR, customer_id VARCHAR,
    cluster_confidence DOUBLE, model_version VARCHAR, assigned_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS identity.customer_id_redirects (
    old_id VARCHAR, new_id VARCHAR, redirected_at TIMESTAMP, reason VARCHAR
);
CREATE TABLE IF NOT EXISTS identity.models (
    model_version VARCHAR, trained_at TIMESTAMP, path VARCHAR, records BIGINT, settings_json VARCHAR
);
-- Name frequencies frozen at training (see train.py): scores depend on the model only.
CREATE TABLE IF NOT EXISTS identity.term_frequencies (
    model_version VARCHAR, column_name VARCHAR, value VARCHAR, tf DOUBLE
);
CREATE TABLE IF NOT EXISTS identity.record_hashes (
    record_id VARCHAR, match_hash VARCHAR, model_version VARCHAR, run_id VARCHAR, match_threshold DOUBLE
);
