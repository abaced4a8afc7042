"""Splink's log messages, routed through this package's logger.

Why: `Linker(log_level=...)` installs Splink's own stderr handler, so every training remark
("Level ... not observed in dataset", "default value for `max_pairs`", "[EM sampling] ...")
was printed into the terminal of `cdp run`, which otherwise shows a one-screen summary.
Routed to `cdp_pipeline.identity.splink`, they go wherever the application sends its logs
(the Dagster run log for loggers it manages), and the remarks that every unsupervised
training makes are demoted to DEBUG. Any other warning and every error keep their level.
"""

from __future__ import annotations

import logging

from splink.internals.splink_logging import disable as disable_splink_handler

TARGET = logging.getLogger("cdp_pipeline.identity.splink")
# Expected on every training run: levels a blocked EM session cannot see, the u sampling size
# chosen in the config, EM sampling decisions. None of them means a wrong result.
EXPECTED_REMARKS = ("not observed in dataset", "default value for `max_pairs`", "[EM sampling]")


class _Forward(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        level = record.levelno
        if level < logging.ERROR and any(remark in message for remark in EXPECTED_REMARKS):
            level = logging.DEBUG
        TARGET.log(level, "%s", message.strip(), exc_info=record.exc_info)


def route_splink_logging() -> None:
    """Idempotent: Splink's WARNING and above go to TARGET; nothing goes to Splink's own handler.

    Linkers must be built with `log_level=None`, or Splink re-installs its stderr handler.
    """
    splink = logging.getLogger("splink")
    disable_splink_handler()
    if not any(isinstance(h, _Forward) for h in splink.handlers):
        splink.addHandler(_Forward())
    splink.setLevel(logging.WARNING)
    splink.propagate = False
