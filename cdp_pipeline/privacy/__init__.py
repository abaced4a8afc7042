"""GDPR / CNIL: erasure with tombstones, DSAR, retention purges, Article 30 register, run audit.

Names are resolved lazily (PEP 562) because marketing needs privacy.hashing and erasure needs
marketing's export writer: eager imports here would make that a circular import.
"""

from importlib import import_module

_EXPORTS = {
    "apply_erasure": "purges", "apply_purges": "purges", "apply_retention": "purges", "build_processing_register": "register",
    "dsar_export": "dsar", "hash_identifier": "hashing", "load_salt": "hashing", "record_run": "runs",
    "register_hash_macros": "hashing", "tombstone_filter": "hashing",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(name)
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
