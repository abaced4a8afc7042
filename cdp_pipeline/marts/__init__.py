"""Marts: golden customer records, customer 360, RFM segments and the analysts' bi.* views.

Entry points (each takes an open warehouse connection and the Config, and rebuilds its
tables atomically):
- `build_golden_customers`  marts.golden_customers, marts.golden_customer_provenance,
                            marts.customer_identifiers (incrementally: marts.golden_basis)
- `build_customer_360`      marts.customer_orders, marts.customer_contacts
- `build_rfm`               marts.customer_rfm, marts.customer_rfm_history, view marts.segment_migration
- `build_bi_views`          bi.customers, bi.orders, bi.rfm, bi.segment_migration
- `customer_360_text`       what `cdp customer <id>` prints for a support agent
- `data_dictionary_markdown` docs/data_dictionary.md from the COMMENT ON of marts.* and bi.*
"""
