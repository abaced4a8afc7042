"""The sources the privacy tests' warehouses declare: web customers, their orders, CRM consents."""

SOURCES = [
    {"name": "web", "kind": "customers", "path": "in/web_*.jsonl", "format": "jsonl",
     "columns": {"source_record_id": "customer_id", "email": "mail", "phone": "tel"}},
    {"name": "web_orders", "kind": "orders", "customer_source": "web", "path": "in/o_*.jsonl", "format": "jsonl",
     "columns": {"order_id": "id", "customer_record_id": "customer_id", "order_ts": "ts", "amount": "total"}},
    {"name": "crm", "kind": "consent_events", "path": "in/c_*.csv", "format": "csv",
     "columns": {"event_ts": "ts", "channel": "ch", "purpose": "p", "status": "s", "email": "email"}},
]
