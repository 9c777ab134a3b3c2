"""Small builders for tests: each makes a valid object with overridable fields."""

from __future__ import annotations

import itertools
from typing import Any

from accord.funnel.models import Account, Deal, Lead
from accord.funnel.services import account_create, deal_create, lead_create

_seq = itertools.count(1)


def make_account(**fields: Any) -> Account:
    n = next(_seq)
    fields.setdefault("name", f"Company {n}")
    fields.setdefault("domain", f"company{n}.example")
    return account_create(by=None, **fields)


def make_lead(**fields: Any) -> Lead:
    n = next(_seq)
    fields.setdefault("email", f"person{n}@example.com")
    fields.setdefault("first_name", "Pat")
    fields.setdefault("last_name", f"Person{n}")
    return lead_create(by=None, **fields)


def make_deal(**fields: Any) -> Deal:
    n = next(_seq)
    fields.setdefault("name", f"Deal {n}")
    fields.setdefault("amount", 10000)
    return deal_create(by=fields.pop("by", None), **fields)
