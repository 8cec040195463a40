"""CSO Canada help center: bilingual knowledge base, search, support plan PDF and CSOL requests."""

from __future__ import annotations

__version__ = "0.1.0"
