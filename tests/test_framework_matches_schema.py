"""The framework file and the database agree on the hats a respondent may wear.

The database refuses any other role (a CHECK constraint), so a role added to
data/framework.yaml without a migration would make every answer with it fail.
"""

from lib.domain.framework import load_framework
from lib.store.tables import RESPONDENT_ROLES


def test_every_stakeholder_role_of_the_framework_is_accepted_by_the_database():
    assert [role.id for role in load_framework().stakeholder_roles] == list(RESPONDENT_ROLES)


def test_the_four_fantastiques_are_the_first_four_roles():
    roles = load_framework().stakeholder_roles
    assert [r.flag for r in roles] == [True, True, True, True, False, False]
