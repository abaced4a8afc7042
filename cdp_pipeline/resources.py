"""The warehouse resource: every asset reaches DuckDB through it (one writer, in-process runs)."""

from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from typing import Iterator

import duckdb
from dagster import ConfigurableResource

from cdp_pipeline.config import Config, load_config
from cdp_pipeline.warehouse import connect


class Warehouse(ConfigurableResource):
    """Opens the DuckDB warehouse named by the cdp config file.

    `config_path` is the YAML file (default: $CDP_CONFIG, else ./cdp.yaml). DuckDB settings
    (threads, memory limit, spill directory) come from the config's `identity.duckdb` block so a
    smaller machine degrades to disk instead of failing.
    """

    config_path: str = ""

    @cached_property
    def cfg(self) -> Config:
        return load_config(self.config_path or None)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        duck = self.cfg.identity.duckdb
        with connect(self.cfg.warehouse, threads=duck.threads, memory_limit=duck.memory_limit,
                     temp_directory=duck.temp_directory) as con:
            yield con
