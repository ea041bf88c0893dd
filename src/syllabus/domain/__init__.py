"""Tables and ORM models, one module per aggregate. Importing this registers them all."""

from syllabus.core.context import Surface
from syllabus.core.credentials import CredentialKind
from syllabus.domain import tenancy as tenancy
from syllabus.domain.access import CourseOtp, LoginKey, LoginKeyType
from syllabus.domain.base import Base
from syllabus.domain.catalog import CatalogEntry, CatalogEntryGroup
from syllabus.domain.certificates import Certificate
from syllabus.domain.courses import Course, CourseItem, CourseTag, ItemType, PublishedCourse
from syllabus.domain.credentials import Credential
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.events import Event
from syllabus.domain.groups import (
    Group,
    GroupCategory,
    GroupCourse,
    GroupEmailDomainRule,
    GroupManager,
    GroupMembership,
)
from syllabus.domain.ilt import IltRegistration, IltTimeslot, InstructorLedTraining
from syllabus.domain.installation import InstallationSetting
from syllabus.domain.jobs import Job, JobStatus
from syllabus.domain.learning_paths import (
    LearningPath,
    LearningPathGroup,
    LearningPathItem,
    LearningPathUser,
    PublishedPath,
)
from syllabus.domain.limits import IdempotencyKey, IdempotencyState, RateLimitBucket
from syllabus.domain.materials import Material
from syllabus.domain.payments import Payment, StripeEvent
from syllabus.domain.power_users import (
    Dataset,
    DatasetCourse,
    DatasetUser,
    PowerUser,
    PowerUserDataset,
    UserRole,
)
from syllabus.domain.progress import CourseProgress, ExamAttempt, ItemProgress
from syllabus.domain.provisioning import (
    PushedGroup,
    ScimDeletedUser,
    ScimUserProfile,
    UserAttributeSource,
)
from syllabus.domain.reports import SavedReport
from syllabus.domain.rewards import (
    Competency,
    CompetencySkill,
    PointBalance,
    PointTransaction,
    Skill,
    SkillBalance,
    SkillLevel,
    SkillTransaction,
)
from syllabus.domain.signup_manager import (
    AccessLevel,
    ManagerAccess,
    ManagerAccessCourse,
    ManagerAccessPath,
    SignupField,
    SignupFieldOption,
    SignupFieldType,
    UserSignupFieldValue,
)
from syllabus.domain.tenants import Domain, DomainAccess, DomainMembership, Tenant
from syllabus.domain.users import CustomAttributeDefinition, Role, User, UserCustomAttribute
from syllabus.domain.webhooks import Webhook, WebhookAttempt, WebhookDelivery

# SQLite reuses the largest rowid after a delete; clients keep our ids, so an id must never
# come back for a different record. (PostgreSQL sequences never reuse.)
for _table in Base.metadata.tables.values():
    _table.dialect_options["sqlite"]["autoincrement"] = True

__all__ = [
    "AccessLevel",
    "Base",
    "CatalogEntry",
    "CatalogEntryGroup",
    "Certificate",
    "Competency",
    "CompetencySkill",
    "Course",
    "CourseItem",
    "CourseOtp",
    "CourseProgress",
    "CourseTag",
    "Credential",
    "CredentialKind",
    "CustomAttributeDefinition",
    "Dataset",
    "DatasetCourse",
    "DatasetUser",
    "Domain",
    "DomainAccess",
    "DomainMembership",
    "Enrollment",
    "Event",
    "ExamAttempt",
    "Group",
    "GroupCategory",
    "GroupCourse",
    "GroupEmailDomainRule",
    "GroupManager",
    "GroupMembership",
    "IdempotencyKey",
    "IdempotencyState",
    "IltRegistration",
    "IltTimeslot",
    "InstallationSetting",
    "InstructorLedTraining",
    "ItemProgress",
    "ItemType",
    "Job",
    "JobStatus",
    "LearningPath",
    "LearningPathGroup",
    "LearningPathItem",
    "LearningPathUser",
    "LoginKey",
    "LoginKeyType",
    "ManagerAccess",
    "ManagerAccessCourse",
    "ManagerAccessPath",
    "Material",
    "Payment",
    "PointBalance",
    "PointTransaction",
    "PowerUser",
    "PowerUserDataset",
    "PublishedCourse",
    "PublishedPath",
    "PushedGroup",
    "RateLimitBucket",
    "Role",
    "SavedReport",
    "ScimDeletedUser",
    "ScimUserProfile",
    "SignupField",
    "SignupFieldOption",
    "SignupFieldType",
    "Skill",
    "SkillBalance",
    "SkillLevel",
    "SkillTransaction",
    "StripeEvent",
    "Surface",
    "Tenant",
    "User",
    "UserAttributeSource",
    "UserCustomAttribute",
    "UserRole",
    "UserSignupFieldValue",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
]
