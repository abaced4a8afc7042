"""Consent, suppressions and audiences: who may be contacted, on which channel, for what."""

from cdp_pipeline.marketing.audiences import audience_violations, build_audiences, write_exports
from cdp_pipeline.marketing.consent import build_consent
from cdp_pipeline.marketing.suppressions import build_suppressions

__all__ = ["audience_violations", "build_audiences", "build_consent", "build_suppressions", "write_exports"]
