"""Sample responses of the gamification, skills, competencies and payments actions, from the
SkyPrep admin API spec, and a shape check against them."""

from __future__ import annotations

from typing import Any

BALANCE = {"user_id": 101, "email": "[email protected]", "gamification_balance": 125}
TRANSACTION = {
    "model_type": "gamification_transaction",
    "id": 1101,
    "user_id": 101,
    "amount": 25,
    "description": "Manual adjustment",
    "balance": 150,
    "unique_transaction_id": "txn_20260501_001",
    "created_at": "2026-05-01T09:00:00.000-04:00",
    "created_at_int": 1777630800,
    "updated_at": "2026-05-01T09:00:00.000-04:00",
    "updated_at_int": 1777630800,
}
SKILL = {
    "display_name": "Communication",
    "name": "communication",
    "id": 1201,
    "description": "Communicates clearly with customers and teammates.",
    "competency_count": 1,
    "rubric": [
        {"title": "Beginner", "skill_points": 25},
        {"title": "Advanced", "skill_points": 100},
    ],
}
SKILL_DETAILS = {"users_with_balance_count": 12, "total_points_awarded": 840}
USER_SKILLS = {
    "user_id": 101,
    "email": "[email protected]",
    "skill_balances": {"communication": 120, "safety": 80},
    "competencies_achieved": ["Customer Readiness"],
}
REQUIRED_SKILL = {**SKILL, "points": 100, "skill_level_id": 2, "skill_level_title": "Advanced"}
COMPETENCY: dict[str, Any] = {
    "display_name": "Customer Readiness",
    "name": "customer-readiness",
    "id": 1301,
    "description": "Learner is ready to work with customers.",
    "nexus_collection_ids_to_assign_as_expert": [],
    "image_url": None,
    "skills": REQUIRED_SKILL,
}
COMPETENCY_DETAILS = {"users_achieved_count": 8, "achievement_rate": "72%"}
PAYMENT: dict[str, Any] = {
    "id": 1501,
    "model_type": "payment",
    "payment_type": "stripe",
    "status": "complete",
    "transaction_number": "pi_000000000001",
    "ipn_history": [],
    "amount": "99.00",
    "user_id": 101,
    "first_name": "Avery",
    "last_name": "Learner",
    **{f"ca_{i}": None for i in range(11)},
    "payer_email": "[email protected]",
    "latest_ipn_data": [],
    "created_at": "2026-05-01T09:00:00.000-04:00",
    "created_at_int": 1777630800,
    "updated_at": "2026-05-01T09:00:00.000-04:00",
    "updated_at_int": 1777630800,
}


def assert_shape(
    actual: Any, sample: Any, path: str = "", nullable: frozenset[str] = frozenset()
) -> None:
    """The sample's keys first, in its order, with its JSON types (recursively); our additions
    may follow. A null in the sample allows any scalar; ``nullable`` keys may be null."""
    if actual is None and path.rpartition(".")[2] in nullable:
        return
    if sample is None:
        assert actual is None or isinstance(actual, str | int | float), path
        return
    if isinstance(sample, dict):
        assert isinstance(actual, dict), path
        assert list(actual)[: len(sample)] == list(sample), (path, list(actual))
        for key, value in sample.items():
            assert_shape(actual[key], value, f"{path}.{key}", nullable)
        return
    if isinstance(sample, list):
        assert isinstance(actual, list), path
        for item in actual:
            if sample:
                assert_shape(item, sample[0], f"{path}[]", nullable)
        return
    assert type(actual) is type(sample), (path, actual)
