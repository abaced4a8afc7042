"""GDPR / CNIL: erasure, DSAR, retention, Article 30 register, run audit."""
