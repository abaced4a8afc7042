"""The Dagster layer: thin asset wrappers, one module per domain, over the domain packages."""
