"""Personas and a small world shared by every app's tests: one persona per role.

The world: two departments. ``dept`` has an active channel represented by ``representative``
(with ``substitute`` appointed as its ersättare); ``other_dept`` has a channel nobody here represents.
"""

import pytest
from django.core.cache import cache

from registry.models import AppointmentRole, Role
from tests.factories import AppointmentFactory, BoardFactory, ChannelFactory, DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """The test cache is process-local memory: start every test without another test's entries."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def board(db):
    return BoardFactory(name="Kultur- och fritidsnämnden", slug="kfn")


@pytest.fixture
def dept(board):
    return DepartmentFactory(board=board, name="Kultur- och fritidsförvaltningen", slug="kultur-fritid")


@pytest.fixture
def other_dept(db):
    board = BoardFactory(name="Barn- och utbildningsnämnden", slug="bun")
    return DepartmentFactory(board=board, name="Barn- och utbildningsförvaltningen", slug="barn-utbildning")


@pytest.fixture
def informator(db):
    return UserFactory(username="informator", first_name="Inga", last_name="Informatör", roles=[Role.INFORMATOR])


@pytest.fixture
def dept_admin(dept):
    return UserFactory(
        username="forvaltningsadmin", first_name="Ada", last_name="Admin", roles=[Role.DEPARTMENT_ADMIN], department=dept
    )


@pytest.fixture
def representative(dept):
    return UserFactory(
        username="foretradare", first_name="Rut", last_name="Representant", roles=[Role.REPRESENTATIVE], department=dept
    )


@pytest.fixture
def substitute(other_dept):
    """A representative from another department who substitutes on ``channel``."""
    return UserFactory(
        username="ersattare", first_name="Erik", last_name="Ersättare", roles=[Role.REPRESENTATIVE], department=other_dept
    )


@pytest.fixture
def records_officer(db):
    return UserFactory(username="registrator", first_name="Rebecka", last_name="Registrator", roles=[Role.RECORDS_OFFICER])


@pytest.fixture
def outsider(other_dept):
    """Staff in another department, with no appointment on ``channel``."""
    return UserFactory(
        username="utomstaende", first_name="Otto", last_name="Utomstående", roles=[Role.DEPARTMENT_ADMIN, Role.REPRESENTATIVE],
        department=other_dept,
    )


@pytest.fixture
def channel(dept, representative, substitute):
    channel = ChannelFactory(department=dept, name="Ludvika bibliotek", responsible=representative)
    AppointmentFactory(channel=channel, user=representative, role=AppointmentRole.REPRESENTATIVE)
    AppointmentFactory(channel=channel, user=substitute, role=AppointmentRole.SUBSTITUTE)
    return channel


@pytest.fixture
def other_channel(other_dept):
    return ChannelFactory(department=other_dept, name="Ludvika skolor", platform="instagram",
                          public_url="https://www.instagram.com/ludvikaskolor")


@pytest.fixture
def personas(informator, dept_admin, representative, substitute, records_officer, outsider):
    return {
        "informator": informator,
        "dept_admin": dept_admin,
        "representative": representative,
        "substitute": substitute,
        "records_officer": records_officer,
        "outsider": outsider,
    }
