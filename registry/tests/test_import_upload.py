"""The informatör's channel import in the browser (/personal/kanaler/importera/): upload, checks, a
preview that saves nothing, and a signed confirmation. Bad input is refused in Swedish and changes nothing."""

import base64
import hashlib
import io
import os
import zipfile
import zlib
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models.signals import pre_save
from django.urls import reverse

from registry import imports
from registry.checks import import_confirm_fits_request_limit
from registry.models import ChangeRecord, Channel, ChannelStatus
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db

URL = reverse("registry-channel-import")
HEADER = "forvaltning;plattform;namn;adress;ansvarig;status\n"
ROWS = (
    "Kultur- och fritidsförvaltningen;Facebook;Ludvika bibliotek;https://www.facebook.com/ludvikabibliotek;"
    "foretradare;aktiv\n"
    "kultur-fritid;instagram;Ludvika konsthall;https://www.instagram.com/ludvikakonsthall;;anmäld\n"
)
GOOD = (HEADER + ROWS).encode("utf-8")


@pytest.fixture
def as_informator(client, informator, dept, representative):
    client.force_login(informator)
    return client


def upload(client, content: bytes, name: str = "kanaler.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def page_text(response) -> str:
    return response.content.decode()


def nothing_saved():
    return not Channel.objects.exists() and not ChangeRecord.objects.exists()


def test_good_file_is_previewed_without_saving_then_imported_on_confirm(as_informator, informator, representative):
    preview = upload(as_informator, b"\xef\xbb\xbf" + GOOD)
    assert preview.status_code == 200
    text = page_text(preview)
    assert "Ludvika bibliotek" in text and "Ludvika konsthall" in text and "2 kanaler kommer att skapas" in text
    assert nothing_saved()

    payload = preview.context["confirm_form"]["payload"].value()
    done = as_informator.post(URL, {"payload": payload}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("registry-channel-list")
    assert "2 kanaler importerade" in page_text(done)
    library = Channel.objects.get(name="Ludvika bibliotek")
    assert library.status == ChannelStatus.ACTIVE and library.responsible == representative
    assert Channel.objects.get(name="Ludvika konsthall").status == ChannelStatus.SUBMITTED
    assert {r.actor for r in ChangeRecord.objects.filter(object_type="channel", action="create")} == {informator}


def test_channel_list_links_the_informator_to_the_import(as_informator):
    assert URL in page_text(as_informator.get(reverse("registry-channel-list")))


def test_channel_list_shows_no_import_link_to_a_department_admin(client, dept_admin):
    client.force_login(dept_admin)
    assert URL not in page_text(client.get(reverse("registry-channel-list")))


def test_oversize_file_is_refused_before_anything_is_saved(as_informator, settings):
    settings.REGISTRY_IMPORT_MAX_BYTES = 100
    response = upload(as_informator, GOOD)
    assert len(GOOD) > 100
    assert "Filen är för stor" in page_text(response) and "Största tillåtna storlek är 100\xa0byte" in page_text(response)
    assert response.context.get("result") is None and nothing_saved()


def test_sizes_are_shown_as_django_formats_them_in_swedish(as_informator, settings):
    settings.REGISTRY_IMPORT_MAX_BYTES = 1024
    response = upload(as_informator, b"x" * 1536)
    assert "Filen är för stor (1,5\xa0kB). Största tillåtna storlek är 1,0\xa0kB." in page_text(response)


class _Unreadable(SimpleUploadedFile):
    def chunks(self, *args, **kwargs):
        raise AssertionError("the file was read before its size was checked")

    read = chunks


def test_the_size_is_checked_before_the_file_is_read(settings):
    settings.REGISTRY_IMPORT_MAX_BYTES = 100
    with pytest.raises(imports.ImportRefused, match="Filen är för stor"):
        imports.upload_read(_Unreadable("kanaler.csv", GOOD))


def test_a_file_larger_than_its_declared_size_is_still_refused(settings):
    settings.REGISTRY_IMPORT_MAX_BYTES = 100
    upload = SimpleUploadedFile("kanaler.csv", GOOD)
    upload.size = 10
    with pytest.raises(imports.ImportRefused, match="Filen är för stor"):
        imports.upload_read(upload)


@pytest.mark.parametrize("name", ["kanaler.xlsx", "kanaler.csv.exe", "kanaler", "kanaler.html"])
def test_wrong_extension_is_refused(as_informator, name):
    response = upload(as_informator, GOOD, name=name)
    assert "har fel filtyp" in page_text(response) and "Bara .csv och .txt" in page_text(response)
    assert nothing_saved()


def test_txt_extension_is_accepted(as_informator):
    response = upload(as_informator, GOOD, name="kanaler.TXT")
    assert "2 kanaler kommer att skapas" in page_text(response)


def _xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def test_a_renamed_xlsx_is_refused_with_advice_to_save_as_csv_utf8(as_informator):
    response = upload(as_informator, _xlsx_bytes(), name="kanaler.csv")
    text = page_text(response)
    assert "Excel-arbetsbok" in text and "CSV UTF-8" in text
    assert nothing_saved()


@pytest.mark.parametrize("content", [
    GOOD.replace(b"aktiv", b"akt\x00iv"),
    (HEADER + ROWS).encode("utf-16"),  # Excel's "Unicode-text"
], ids=["nul-byte", "utf-16"])
def test_binary_content_is_refused(as_informator, content):
    response = upload(as_informator, content)
    assert "binära data" in page_text(response) and "CSV UTF-8" in page_text(response)
    assert nothing_saved()


def test_file_that_is_not_utf8_is_refused(as_informator):
    response = upload(as_informator, (HEADER + ROWS).encode("latin-1"))
    assert "Filen är inte UTF-8" in page_text(response) and "CSV UTF-8" in page_text(response)
    assert nothing_saved()


def test_a_bad_row_lists_its_line_and_nothing_is_saved(as_informator):
    bad = "kultur-fritid;facebook;Fel adress;https://www.instagram.com/fel;;aktiv\n"
    unknown = "Okänd förvaltning;facebook;X;https://www.facebook.com/x;;aktiv\n"
    response = upload(as_informator, (HEADER + ROWS + bad + unknown).encode("utf-8"))
    text = page_text(response)
    assert "Rad 4: adress: Adressen hör inte till Facebook" in text
    assert "Rad 5: forvaltning: Okänd förvaltning" in text
    assert "2 fel i filen. Inget har sparats." in text
    assert response.context["confirm_form"] is None and "payload" not in text
    assert nothing_saved()


def test_a_bad_header_is_refused(as_informator):
    response = upload(as_informator, "forvaltning;namn;farg\nkultur-fritid;X;blå\n".encode())
    assert "saknade kolumner: plattform, adress" in page_text(response) and "okända kolumner: farg" in page_text(response)
    assert nothing_saved()


def test_no_file_is_refused(as_informator):
    response = as_informator.post(URL, {})
    assert "Välj en fil att importera." in page_text(response)


def _tampered(payload: str) -> str:
    """Change one character of the signed value (not of its signature)."""
    head, _sep, rest = payload.partition(":")
    flipped = head[:-1] + ("A" if head[-1] != "A" else "B")
    return f"{flipped}:{rest}"


def test_a_tampered_confirm_payload_is_refused(as_informator):
    preview = upload(as_informator, GOOD)
    payload = preview.context["confirm_form"]["payload"].value()
    response = as_informator.post(URL, {"payload": _tampered(payload)})
    assert "Importen kunde inte bekräftas" in page_text(response) and "Inget har sparats" in page_text(response)
    assert nothing_saved()


def _complete_payload(user, **signing_options) -> str:
    """Everything a genuine confirmation of GOOD holds, built here rather than by payload_sign()."""
    return signing.dumps(
        {"user": user.pk, "name": "kanaler.csv", "sha256": hashlib.sha256(GOOD).hexdigest(), "size": len(GOOD),
         "data": base64.b64encode(zlib.compress(GOOD)).decode("ascii")},
        salt=imports.PAYLOAD_SALT, **signing_options,
    )


def test_a_complete_payload_signed_with_another_key_is_refused(as_informator, informator):
    forged = _complete_payload(informator, key="inte-nyckeln-" * 5)
    response = as_informator.post(URL, {"payload": forged})
    assert "Importen kunde inte bekräftas" in page_text(response)
    assert nothing_saved()


def test_the_same_payload_signed_with_the_secret_key_is_imported(as_informator, informator):
    # The counterpart of the test above: the forged payload differs only in its signature.
    response = as_informator.post(URL, {"payload": _complete_payload(informator)})
    assert response.status_code == 302
    assert set(Channel.objects.values_list("name", flat=True)) == {"Ludvika bibliotek", "Ludvika konsthall"}


def test_a_payload_for_another_user_is_refused(client, informator, dept):
    from registry.models import Role
    from tests.factories import UserFactory

    colleague = UserFactory(username="informator2", roles=[Role.INFORMATOR])
    payload = imports.payload_sign(name="kanaler.csv", raw=GOOD, user=colleague)
    client.force_login(informator)
    response = client.post(URL, {"payload": payload})
    assert "Importen kunde inte bekräftas" in page_text(response)
    assert nothing_saved()


def test_a_preview_older_than_an_hour_cannot_be_confirmed(as_informator, informator, monkeypatch):
    import time

    now = time.time()
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: now - imports.PAYLOAD_MAX_AGE - 60)
        payload = imports.payload_sign(name="kanaler.csv", raw=GOOD, user=informator)
    response = as_informator.post(URL, {"payload": payload})
    assert "Importen kunde inte bekräftas" in page_text(response)
    assert nothing_saved()


def test_a_validly_signed_file_is_checked_again_on_confirm(as_informator, informator, settings):
    # A preview made under a larger limit is not imported once the limit is lower.
    payload = imports.payload_sign(name="kanaler.csv", raw=GOOD, user=informator)
    settings.REGISTRY_IMPORT_MAX_BYTES = 100
    response = as_informator.post(URL, {"payload": payload})
    assert "Filen är för stor" in page_text(response)
    assert nothing_saved()


def test_a_channel_registered_between_preview_and_confirm_stops_the_whole_import(as_informator, dept):
    preview = upload(as_informator, GOOD)
    payload = preview.context["confirm_form"]["payload"].value()
    ChannelFactory(department=dept, name="Redan här", public_url="https://www.instagram.com/ludvikakonsthall",
                   platform="instagram")
    response = as_informator.post(URL, {"payload": payload})
    text = page_text(response)
    assert "Rad 3: adress: Det finns redan en kanal med den adressen." in text
    assert list(Channel.objects.values_list("name", flat=True)) == ["Redan här"]


@contextmanager
def _saved_by_someone_else_just_before_insert(public_url: str):
    """Another request (a second confirmation of the same file) commits ``public_url`` after this
    import has validated the row and before its INSERT. Inserted as Channel's pre_save runs, without
    validation or signals, so the row passes full_clean() and only the unique constraint refuses it."""

    def insert_conflict(sender, instance, **kwargs):
        if instance._state.adding and instance.public_url == public_url:
            Channel.objects.bulk_create([ChannelFactory.build(
                department=instance.department, platform=instance.platform, public_url=public_url, name="Samtidig")])

    pre_save.connect(insert_conflict, sender=Channel, weak=False, dispatch_uid="import-race")
    try:
        yield
    finally:
        pre_save.disconnect(sender=Channel, dispatch_uid="import-race")


def test_a_channel_saved_by_a_simultaneous_confirm_is_refused_without_an_error_page(as_informator):
    preview = upload(as_informator, GOOD)
    payload = preview.context["confirm_form"]["payload"].value()
    with _saved_by_someone_else_just_before_insert("https://www.instagram.com/ludvikakonsthall"):
        response = as_informator.post(URL, {"payload": payload})
    assert response.status_code == 200
    text = page_text(response)
    if connection.vendor == "postgresql":  # it names the constraint; SQLite does not say which one
        assert ("Rad 3: Det finns redan en kanal med den adressen. Den sparades av någon annan medan importen "
                "pågick") in text
    else:
        assert "Rad 3: Databasen stoppade raden eftersom registret ändrades medan importen pågick" in text
    assert "1 fel i filen. Inget har sparats." in text
    # All or nothing: line 2 had been inserted before line 3 collided, and it is gone too.
    assert nothing_saved()


def test_more_rows_than_the_limit_are_refused_before_any_is_validated(as_informator, settings):
    settings.REGISTRY_IMPORT_MAX_ROWS = 1
    unknown = "Okänd förvaltning;facebook;X;https://www.facebook.com/x;;aktiv\n"
    response = upload(as_informator, (HEADER + ROWS + unknown).encode())
    text = page_text(response)
    assert "Filen har 3 rader med kanaler. Högst 1 kan importeras åt gången. Dela upp listan i flera filer." in text
    assert "Okänd förvaltning" not in text and response.context.get("result") is None
    assert nothing_saved()


def test_blank_lines_do_not_count_against_the_row_limit(as_informator, settings):
    settings.REGISTRY_IMPORT_MAX_ROWS = 2
    response = upload(as_informator, (HEADER + "\n;;;;;\n" + ROWS + "\n\n").encode())
    assert "2 kanaler kommer att skapas" in page_text(response)


def test_a_preview_over_a_lowered_row_limit_is_not_imported(as_informator, settings):
    payload = upload(as_informator, GOOD).context["confirm_form"]["payload"].value()
    settings.REGISTRY_IMPORT_MAX_ROWS = 1
    response = as_informator.post(URL, {"payload": payload})
    assert "Filen har 2 rader med kanaler. Högst 1 kan importeras" in page_text(response)
    assert nothing_saved()


def test_the_confirm_body_never_exceeds_the_size_the_system_check_assumes(informator):
    # Random bytes do not compress: the largest payload a file of this size can give.
    for size in (0, 1000, 100_000):
        payload = imports.payload_sign(name="å" * 251 + ".csv", raw=os.urandom(size), user=informator)
        body = urlencode({"csrfmiddlewaretoken": "x" * 64, "payload": payload})
        assert len(body) <= imports.confirm_body_max_size(size) <= len(body) * 1.01 + 4000


def test_the_system_check_accepts_the_default_limits():
    assert import_confirm_fits_request_limit() == []


def test_the_system_check_refuses_a_file_limit_whose_confirmation_does_not_fit(settings):
    settings.REGISTRY_IMPORT_MAX_BYTES = 4 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
    needed = imports.confirm_body_max_size(4 * 1024 * 1024)
    [error] = import_confirm_fits_request_limit()
    assert error.id == "registry.E001" and f"minst {needed}" in error.hint
    assert "registry.E001" in [message.id for message in run_checks()]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = needed
    assert import_confirm_fits_request_limit() == []
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None  # no limit
    assert import_confirm_fits_request_limit() == []


@pytest.mark.parametrize("persona", ["dept_admin", "representative", "substitute", "records_officer", "outsider"])
def test_only_the_informator_may_import(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": SimpleUploadedFile("kanaler.csv", GOOD)}).status_code == 403
    assert nothing_saved()


def test_the_upload_form_needs_a_csrf_token(informator, dept):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(informator)
    assert client.post(URL, {"file": SimpleUploadedFile("kanaler.csv", GOOD)}).status_code == 403
    assert nothing_saved()


def test_the_upload_field_is_labelled_and_explained(as_informator):
    text = page_text(as_informator.get(URL))
    assert '<label for="id_file">' in text and 'aria-describedby="id_file_helptext"' in text
    assert 'enctype="multipart/form-data"' in text and "högst 1,0\xa0MB och 500 rader med kanaler" in text
