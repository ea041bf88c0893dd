"""The demo program's rewards: points, skills with rubrics, competencies and payments.

Built through the services like everything else; the payments arrive as the Stripe events
a real checkout would send (already verified, as the webhook receiver hands them over).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.services.gamification import create_gamification_transaction
from syllabus.services.payments import record_stripe_event
from syllabus.services.skills import (
    RubricLevel,
    SkillRequirement,
    create_competency,
    create_skill,
    create_skill_transaction,
)

RUBRIC = [RubricLevel("Beginner", 25), RubricLevel("Proficient", 60), RubricLevel("Advanced", 100)]
SKILLS = [
    ("Communication", "Communicates clearly with customers and teammates."),
    ("Safety", "Safety knowledge and procedures."),
    ("Product Knowledge", "Knows the product line and its use cases."),
]


def add_demo_rewards(
    session: Session, ctx: Context, user_ids: Sequence[int], course_ids: Sequence[int]
) -> None:
    rng = random.Random(11)
    skills = [
        create_skill(session, ctx, display_name=name, description=text, rubric=RUBRIC).id
        for name, text in SKILLS
    ]
    create_competency(
        session,
        ctx,
        display_name="Customer Readiness",
        description="Learner is ready to work with customers.",
        skills=[SkillRequirement(skills[0], "Advanced"), SkillRequirement(skills[2], "Proficient")],
    )
    create_competency(
        session,
        ctx,
        display_name="Safety Certified",
        description="Completed required safety skills.",
        skills=[SkillRequirement(skills[1], "Advanced")],
    )
    for user_id in user_ids[:30]:
        earned = rng.choice([50, 100, 150, 200])
        create_gamification_transaction(
            session, ctx, user_id=user_id, amount=earned, description="Course completion bonus"
        )
        if earned >= 100:
            create_gamification_transaction(
                session, ctx, user_id=user_id, amount=-40, description="Redeemed in the store"
            )
        for skill_id in skills:
            create_skill_transaction(
                session,
                ctx,
                user_id=user_id,
                skill_id=skill_id,
                amount=rng.choice([10, 30, 65, 110]),
                description="Assessed by manager",
            )
    buyers = [
        ("avery.buyer@example.com", "Avery Buyer"),
        ("jordan.buyer@example.com", "Jordan Buyer"),
    ]
    for number, (email, name) in enumerate(buyers, 1):
        record_stripe_event(
            session,
            ctx,
            event={
                "id": f"evt_demo_{number:04d}",
                "type": "checkout.session.completed",
                "data": {
                    "object": {
                        "id": f"cs_demo_{number:04d}",
                        "payment_intent": f"pi_demo_{number:04d}",
                        "amount_total": 9900 if number == 1 else 4900,
                        "currency": "usd",
                        "payment_status": "paid" if number == 1 else "unpaid",
                        "customer_details": {"email": email, "name": name},
                        "metadata": {"course_id": str(course_ids[-1])},
                    }
                },
            },
        )
