"""The rule deciding when a template's wording updates a stored version and when it adds one."""

from lib.domain.template_versions import Placement, Step, StoredVersion, Wording, place, shipped_file_applies

SHIPPED = Wording("Titre", "Title", {"sections": [1]}, author=None)
EDITED = Wording("Titre", "Title", {"sections": [2]}, author=None)


def test_a_first_wording_is_stored_at_the_files_version():
    assert place(None, SHIPPED, floor=3) == Placement(Step.ADD, 3)


def test_the_same_wording_changes_nothing():
    assert place(StoredVersion(2, SHIPPED, answered=True), SHIPPED, floor=1) == Placement(Step.KEEP, 2)


def test_a_new_wording_of_an_unanswered_version_by_its_author_rewrites_it():
    assert place(StoredVersion(2, SHIPPED, answered=False), EDITED, floor=1) == Placement(Step.UPDATE, 2)


def test_an_answered_version_is_never_rewritten():
    assert place(StoredVersion(2, SHIPPED, answered=True), EDITED, floor=1) == Placement(Step.ADD, 3)


def test_someone_elses_wording_is_never_overwritten():
    by_a_person = Wording("Titre", "Title", {"sections": [2]}, author=7)
    assert place(StoredVersion(2, SHIPPED, answered=False), by_a_person, floor=1) == Placement(Step.ADD, 3)


def test_the_files_version_is_a_floor():
    assert place(StoredVersion(2, SHIPPED, answered=False), EDITED, floor=5) == Placement(Step.UPDATE, 5)
    assert place(StoredVersion(2, SHIPPED, answered=True), EDITED, floor=5) == Placement(Step.ADD, 5)


def test_a_coordinators_wording_wins_until_the_file_is_raised_above_it():
    assert shipped_file_applies(None, None, 1)
    assert shipped_file_applies(4, None, 1)  # the shipped wording: the file may rewrite it
    assert not shipped_file_applies(4, 7, 4)
    assert shipped_file_applies(4, 7, 5)
