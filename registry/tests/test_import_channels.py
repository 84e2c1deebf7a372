"""python manage.py import_channels: a good file, a bad row with its line number, BOM and separators."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from registry.models import ChangeRecord, Channel, ChannelStatus

pytestmark = pytest.mark.django_db

HEADER = "forvaltning;plattform;namn;adress;konto_id;syfte;ansvarig;kontakt;kontakt_epost;status;aktiv_fran\n"
GOOD_ROWS = (
    "Kultur- och fritidsförvaltningen;Facebook;Ludvika bibliotek;https://www.facebook.com/ludvikabibliotek;4711;"
    "Boktips och evenemang;foretradare;Skriv ett meddelande;bibliotek@ludvika.se;aktiv;2019-05-01\n"
    "kultur-fritid;instagram;Ludvika konsthall;https://www.instagram.com/ludvikakonsthall;;Utställningar;;;;anmäld;\n"
    "kultur-fritid;Mastodon;Ludvika på Mastodon;https://mastodon.nu/@ludvika;;;;;;avslutad;2020-01-01\n"
)


def write(tmp_path, text, *, bom=False, name="kanaler.csv"):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def run(path, *args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_channels", str(path), *args, stdout=out, stderr=err)
    except CommandError as e:
        return False, out.getvalue(), err.getvalue() + str(e)
    return True, out.getvalue(), err.getvalue()


def test_good_file_with_bom_and_semicolons_is_imported(tmp_path, dept, representative, informator):
    ok, out, err = run(write(tmp_path, HEADER + GOOD_ROWS, bom=True), "--user", "informator")
    assert ok, err
    assert "3 kanaler importerade" in out
    library = Channel.objects.get(name="Ludvika bibliotek")
    assert library.status == ChannelStatus.ACTIVE and library.responsible == representative
    assert timezone.localtime(library.activated_at).date().isoformat() == "2019-05-01"
    assert Channel.objects.get(name="Ludvika konsthall").status == ChannelStatus.SUBMITTED
    closed = Channel.objects.get(name="Ludvika på Mastodon")
    assert closed.status == ChannelStatus.CLOSED and closed.closed_at is not None
    records = ChangeRecord.objects.filter(object_type="channel", action="create")
    assert records.count() == 3 and {r.actor for r in records} == {informator}


def test_commas_without_bom_are_accepted(tmp_path, dept):
    text = "forvaltning,plattform,namn,adress\nkultur-fritid,youtube,Ludvika TV,https://www.youtube.com/@ludvika\n"
    ok, _out, err = run(write(tmp_path, text))
    assert ok, err
    assert Channel.objects.get(name="Ludvika TV").platform == "youtube"


def test_bad_row_is_reported_with_line_number_and_nothing_is_saved(tmp_path, dept, representative):
    bad = "kultur-fritid;facebook;Fel adress;https://www.instagram.com/fel;;;;;;aktiv;\n"
    unknown = "Okänd förvaltning;facebook;X;https://www.facebook.com/x;;;;;;aktiv;\n"
    ok, _out, err = run(write(tmp_path, HEADER + GOOD_ROWS + bad + unknown))
    assert not ok
    assert "Rad 5: adress: Adressen hör inte till Facebook" in err
    assert "Rad 6: forvaltning: Okänd förvaltning" in err
    assert "Inget från filen har sparats" in err
    assert not Channel.objects.exists() and not ChangeRecord.objects.exists()


def test_duplicate_within_the_file_is_reported_and_nothing_is_saved(tmp_path, dept):
    rows = (
        "kultur-fritid;facebook;A;https://www.facebook.com/samma;;;;;;aktiv;\n"
        "kultur-fritid;facebook;B;https://www.facebook.com/SAMMA;;;;;;aktiv;\n"
    )
    ok, _out, err = run(write(tmp_path, HEADER + rows))
    assert not ok and "Rad 3:" in err and "redan en kanal med den adressen" in err
    assert not Channel.objects.exists()


def test_duplicate_of_an_existing_channel_is_refused(tmp_path, channel):
    row = f"kultur-fritid;facebook;Kopia;{channel.public_url};;;;;;aktiv;\n"
    ok, _out, err = run(write(tmp_path, HEADER + row))
    assert not ok and "Rad 2: adress: Det finns redan en kanal med den adressen." in err
    assert Channel.objects.count() == 1


def test_dry_run_validates_and_saves_nothing(tmp_path, dept, representative):
    ok, out, err = run(write(tmp_path, HEADER + GOOD_ROWS), "--dry-run")
    assert ok, err
    assert "3 kanaler kan importeras" in out
    assert not Channel.objects.exists() and not ChangeRecord.objects.exists()


def test_unknown_and_missing_columns_are_refused(tmp_path, dept):
    ok, _out, err = run(write(tmp_path, "forvaltning;namn;farg\nkultur-fritid;X;blå\n"))
    assert not ok and "saknade kolumner: plattform, adress" in err and "okända kolumner: farg" in err


def test_file_that_is_not_utf8_is_refused(tmp_path, dept):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "kultur-fritid;facebook;Förskola;https://www.facebook.com/f;;;;;;;\n").encode("latin-1"))
    ok, _out, err = run(path)
    assert not ok and "inte UTF-8" in err
    assert not Channel.objects.exists()


@pytest.mark.parametrize(("cells", "message"), [
    ("kultur-fritid;myspace;X;https://myspace.com/x;;;;;;aktiv;", "plattform: Välj ett giltigt alternativ"),
    ("kultur-fritid;facebook;X;https://www.facebook.com/x;;;okand;;;aktiv;", "ansvarig: Okänd person"),
    ("kultur-fritid;facebook;X;https://www.facebook.com/x;;;;;;pausad;", "status: Status måste vara"),
    ("kultur-fritid;facebook;X;https://www.facebook.com/x;;;;;;aktiv;2999-01-01", "aktiv_fran: Datumet kan inte"),
    ("kultur-fritid;facebook;X;https://www.facebook.com/x;;;;;;aktiv;01/05/2019", "aktiv_fran: Ange datum som ÅÅÅÅ-MM-DD."),
    ("kultur-fritid;facebook;;https://www.facebook.com/x;;;;;;aktiv;", "namn: Detta fält måste fyllas i"),
])
def test_each_rule_is_reported_in_swedish(tmp_path, dept, cells, message):
    ok, _out, err = run(write(tmp_path, HEADER + cells + "\n"))
    assert not ok and f"Rad 2: {message}" in err
    assert not Channel.objects.exists()


def test_more_rows_than_the_limit_are_refused_and_nothing_is_saved(tmp_path, dept, representative, settings):
    settings.REGISTRY_IMPORT_MAX_ROWS = 2
    ok, _out, err = run(write(tmp_path, HEADER + GOOD_ROWS))
    assert not ok and "Filen har 3 rader med kanaler. Högst 2 kan importeras åt gången." in err
    assert not Channel.objects.exists() and not ChangeRecord.objects.exists()


def test_a_file_at_the_row_limit_is_imported(tmp_path, dept, representative, settings):
    settings.REGISTRY_IMPORT_MAX_ROWS = 3
    ok, out, err = run(write(tmp_path, HEADER + GOOD_ROWS))
    assert ok, err
    assert "3 kanaler importerade" in out
