"""schemathesis hooks for scripts/api-check.sh: the rules of docs/openapi.json that JSON Schema
cannot state, because they compare two values.

- A range's start is not after its end, and both bounds or neither are given (`startAt` and
  `endAt`, and `start` and `end` on the Website API deletes).
- A timeseries holds at most 100,000 buckets of its interval.
- An owner cannot invite itself to its own website (the email the script's owner has).
- Query parameters the document does not name are ignored, but an unknown `filter_*` name is
  refused (the `filters` parameter allows other names, so the generator may send one).
- A webhook signing secret has its provider's prefix (Stripe `whsec_`, Paddle `pdl_ntfset_`).
- A webhook delivery is admitted by a signature made with the secret, which no generator can
  make: every schema-valid delivery without one is rightly refused.

The document states them in words. A request that breaks them is refused with 400, which is
right, so positive (schema-valid) cases that break them are left out rather than counted as
valid data the server rejected. Negative cases are all kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import schemathesis

with open("docs/openapi.json", encoding="utf-8") as document:
    FILTER_NAMES = set(
        json.load(document)["components"]["parameters"]["filters"]["schema"]["properties"]
    )

DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
# Bounds closer than this may fall either way once a time zone is applied.
MARGIN = dt.timedelta(days=2)
# Below the server's 100,000, for the same reason.
MAX_BUCKETS = 90_000
INTERVAL_HOURS = {"hour": 1, "day": 24, "week": 24 * 7, "month": 24 * 31}


def _instant(raw: object, end: bool) -> dt.datetime | None:
    """The bound as a UTC instant, reading dates and wall-clock times as UTC; None if unreadable."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    match = DATE.match(text)
    try:
        if match:
            day = dt.datetime(*map(int, match.groups()), tzinfo=dt.timezone.utc)
            return day + dt.timedelta(days=1) if end else day
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _flatten(query: dict) -> dict:
    """Exploded object parameters (`filters`, `selection`) arrive as nested dictionaries."""
    flat = {}
    for name, value in query.items():
        if isinstance(value, dict):
            flat.update(value)
        else:
            flat[name] = value
    return flat


def _bounds(query: dict) -> tuple[object, object]:
    if "startAt" in query or "endAt" in query:
        return query.get("startAt"), query.get("endAt")
    return query.get("start"), query.get("end")


SECRET_PREFIXES = {"stripe": "whsec_", "paddle": "pdl_ntfset_"}


def _unsigned_delivery(case) -> bool:
    return case.operation.path.startswith("/api/webhooks/")


def _secret_of_another_form(case) -> bool:
    if not case.operation.path.endswith("/webhook") or case.method.upper() != "PUT":
        return False
    prefix = SECRET_PREFIXES.get((case.path_parameters or {}).get("provider"))
    secret = case.body.get("signingSecret") if isinstance(case.body, dict) else None
    return prefix is not None and isinstance(secret, str) and not secret.strip().startswith(prefix)


def _invites_owner(case) -> bool:
    owner = os.environ.get("API_CHECK_OWNER_EMAIL", "").lower()
    return (
        case.operation.path.endswith("/team")
        and case.method.upper() == "POST"
        and isinstance(case.body, dict)
        and isinstance(case.body.get("email"), str)
        and case.body["email"].strip().lower() == owner
    )


@schemathesis.hook
def filter_case(context, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return True
    if _invites_owner(case) or _unsigned_delivery(case) or _secret_of_another_form(case):
        return False
    if not isinstance(case.query, dict):
        return True
    flat = _flatten(case.query)
    if any(
        isinstance(name, str) and name.startswith("filter_") and name not in FILTER_NAMES
        for name in flat
    ):
        return False
    raw_start, raw_end = _bounds(flat)
    if raw_start is None and raw_end is None:
        return True
    start, end = _instant(raw_start, False), _instant(raw_end, True)
    if start is None or end is None:
        # Valid to the schema but unreadable here (year 0, say): its order is unknown.
        return False
    if end - start < MARGIN:
        return False
    interval = flat.get("interval")
    if isinstance(interval, str) and interval.strip() in INTERVAL_HOURS:
        hours = (end - start) / dt.timedelta(hours=1)
        if hours / INTERVAL_HOURS[interval.strip()] > MAX_BUCKETS:
            return False
    return True
