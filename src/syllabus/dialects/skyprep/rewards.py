"""SkyPrep's gamification actions: get_user_gamification_balance, create_gamification_transaction.

Users are named by ``user_id``, ``user_email`` or (as the spec's sample sends it) ``email``.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid
from syllabus.core.fields import is_set
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.courses import epoch
from syllabus.dialects.skyprep.params import Params
from syllabus.dialects.skyprep.render import Named, Program, load_program
from syllabus.dialects.skyprep.users import find_user
from syllabus.domain.rewards import PointTransaction
from syllabus.queries.users import UserRow
from syllabus.services import gamification

_INTEGER = re.compile(r"^[+-]?\d{1,12}$", re.ASCII)


def parse_amount(p: Params, name: str = "amount") -> int:
    """A whole number of points, positive or negative: a JSON number or a numeric string."""
    value = p.raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid(name, f"{name} is required")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(name, f"{name} must be a whole number of points; got {value!r}")
    return value


def optional_text(p: Params, name: str) -> str | None:
    value = p.text(name)
    return value if is_set(value) else None


def find_learner(session: Session, call: Call, p: Params) -> UserRow:
    """``find_user``, also reading the sample's ``email`` as ``user_email``."""
    if "user_id" not in p and "user_email" not in p and "email" in p:
        p = Params({**p.raw, "user_email": p.raw["email"]})
    return find_user(session, call, p)


def transaction_json(row: PointTransaction, program: Program) -> dict[str, Any]:
    return {
        "model_type": "gamification_transaction",
        "id": row.id,
        "user_id": row.user_id,
        "amount": row.amount,
        "description": row.description,
        "balance": row.balance,
        "unique_transaction_id": row.unique_transaction_id,
        "created_at": program.local(row.created_at),
        "created_at_int": epoch(row.created_at),
        "updated_at": program.local(row.updated_at),
        "updated_at_int": epoch(row.updated_at),
    }


@action("get_user_gamification_balance", read_only=True)
def get_user_gamification_balance(session: Session, call: Call) -> Named:
    user = find_learner(session, call, Params(call.params))
    balance = gamification.gamification_balance(session, call.ctx, user_id=user.id)
    return Named("hash", {"user_id": user.id, "email": user.email, "gamification_balance": balance})


@action("create_gamification_transaction")
def create_gamification_transaction(session: Session, call: Call) -> Named:
    """Refused (400 naming ``amount``) when a debit would take the balance below zero."""
    p = Params(call.params)
    amount = parse_amount(p)
    user = find_learner(session, call, p)
    row = gamification.create_gamification_transaction(
        session,
        call.ctx,
        user_id=user.id,
        amount=amount,
        description=optional_text(p, "description"),
        unique_transaction_id=optional_text(p, "unique_transaction_id"),
    )
    return Named(
        "gamification-transaction",
        transaction_json(row, load_program(call.acct_key, call.time_zone)),
    )
