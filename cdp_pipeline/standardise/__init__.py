"""Standardisers: pure functions over distinct values, with French rules for FR records.

Entry points: `standardise_customers` (a whole customers extract), `standardise_emails`,
`standardise_phones` (contact points of consent events and suppressions), `postal_key`
(a one-line postal address as golden records and NPAI returns share it) and `parse_dates` /
`parse_timestamps` (declared formats only).
"""

from cdp_pipeline.standardise.addresses import postal_key, standardise_address
from cdp_pipeline.standardise.dates import parse_dates, parse_timestamps
from cdp_pipeline.standardise.emails import standardise_emails
from cdp_pipeline.standardise.phones import standardise_phones

__all__ = ["parse_dates", "parse_timestamps", "postal_key", "standardise_address", "standardise_emails",
           "standardise_phones"]
