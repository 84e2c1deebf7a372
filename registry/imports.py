"""Reading, checking and validating a channel-list file (a spreadsheet saved as CSV), shared by the
``import_channels`` command and the informatör's import page (/personal/kanaler/importera/).

One implementation so both paths refuse the same files with the same Swedish messages:
- upload_read() (the page) checks a file's name and size before reading it; the command's file is
  already on the server and has neither check;
- text_decode(): the bytes are text (not binary, UTF-8) before any of it is parsed;
- rows_read(): CSV parsing (separator detection, column mapping, at most REGISTRY_IMPORT_MAX_ROWS rows)
  into (line number, form data);
- channels_import_file(): all of the above on the bytes, every row through ChannelImportForm, then
  services.channels_import, all-or-nothing (a dry run for the preview keeps nothing).
The upload page carries the file from preview to confirmation in a signed payload (payload_sign /
payload_open), so the confirmed file is byte for byte the one that was previewed. Its size in the
confirm form's body is bounded by confirm_body_max_size(), which registry.checks compares with
DATA_UPLOAD_MAX_MEMORY_SIZE.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import math
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import services
from .forms import ChannelImportForm

# CSV column -> form field. Swedish column names, as a municipality's spreadsheet would have them.
COLUMNS = {
    "forvaltning": "department",
    "plattform": "platform",
    "namn": "name",
    "adress": "public_url",
    "konto_id": "account_id",
    "syfte": "purpose",
    "ansvarig": "responsible",
    "kontakt": "public_contact",
    "kontakt_epost": "public_contact_email",
    "svarsmal_timmar": "response_target_hours",
    "status": "status",
    "aktiv_fran": "active_from",
    "avslutad": "closed_on",
}
REQUIRED = ("forvaltning", "plattform", "namn", "adress")
FIELD_COLUMNS = {field: column for column, field in COLUMNS.items()}

ALLOWED_SUFFIXES = (".csv", ".txt")
DEFAULT_MAX_BYTES = 1024 * 1024
# Every row costs several queries to validate and two inserts, in the preview and again on confirm:
# 2000 rows stay well inside the web worker's timeout (README, "Importing an existing channel list").
DEFAULT_MAX_ROWS = 500
# Signatures of files people save by mistake instead of CSV: xlsx/ods are ZIP archives, old .xls is OLE2.
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# "Unicode-text" from Excel is UTF-16: readable to Excel, full of NUL bytes to us.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
PAYLOAD_SALT = "registry.imports.channel-file"
PAYLOAD_MAX_AGE = 60 * 60  # seconds a preview may be confirmed after the upload


class ImportRefused(Exception):
    """The whole file is refused (not a readable CSV file, or a bad header); nothing was saved."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportResult:
    """``rows``: validated (line, cleaned data); ``errors``: (line, message), sorted; ``created``: the
    channels saved (or, in a dry run, that would be saved and were rolled back)."""

    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: list = field(default_factory=list)


def max_bytes() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _save_as_csv_hint() -> str:
    return _('Öppna filen i Excel och välj Spara som → "CSV UTF-8 (kommaavgränsad)".')


def name_check(*, name: str) -> None:
    """Only .csv and .txt: what Excel writes when asked for CSV. The browser's content type is not trusted."""
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ImportRefused(
            _("Filen %(name)s har fel filtyp. Bara .csv och .txt kan importeras. %(hint)s")
            % {"name": name, "hint": _save_as_csv_hint()}
        )


def size_check(*, size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise ImportRefused(
            _("Filen är för stor (%(size)s). Största tillåtna storlek är %(limit)s. Dela upp listan i flera filer.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def text_decode(*, raw: bytes) -> str:
    """The file's text: UTF-8 with or without BOM, never binary (a renamed .xlsx, UTF-16, NUL bytes)."""
    if not raw.strip():
        raise ImportRefused(_("Filen är tom."))
    if raw.startswith((ZIP_MAGIC, OLE2_MAGIC)):
        raise ImportRefused(
            _("Filen är en Excel-arbetsbok eller ett komprimerat arkiv, inte en CSV-fil. %(hint)s")
            % {"hint": _save_as_csv_hint()}
        )
    if raw.startswith(UTF16_BOMS) or b"\x00" in raw:
        raise ImportRefused(
            _("Filen innehåller binära data (nolltecken) och är ingen CSV-fil i UTF-8. %(hint)s")
            % {"hint": _save_as_csv_hint()}
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportRefused(
            _("Filen är inte UTF-8 (fel vid byte %(position)s). Spara den som CSV UTF-8.") % {"position": e.start}
        ) from None


def upload_read(upload) -> bytes:
    """An uploaded file's bytes, once its name and size have passed. Raises ImportRefused.

    Django has received the whole request before the view runs: an upload of up to
    FILE_UPLOAD_MAX_MEMORY_SIZE is already in memory, a larger one in a temporary file (the reverse
    proxy's body limit bounds both). What this function bounds is the copy the import works on: the
    size Django counted is checked before anything is read, and the read stops one byte past
    REGISTRY_IMPORT_MAX_BYTES whatever that size said, so an oversize file is never copied, decoded or
    parsed."""
    name_check(name=upload.name or "")
    size_check(size=upload.size or 0)
    limit = max_bytes()
    buffer = io.BytesIO()
    upload.seek(0)
    for chunk in upload.chunks():
        buffer.write(chunk)
        if buffer.tell() > limit:
            size_check(size=buffer.tell())
    return buffer.getvalue()


def rows_read(*, text: str) -> list[tuple[int, dict]]:
    """Detect the separator (; or ,) and map the columns. Returns (line number, form data) per
    non-empty row; a row with more values than columns has data {"__error__": message}.
    Raises ImportRefused on a bad header, a file the csv module cannot parse or more rows than
    REGISTRY_IMPORT_MAX_ROWS (counted to the end, so the message can say how many there are; only the
    first rows past the header are kept, and none is validated)."""
    limit = max_rows()
    count = 0
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
        unknown = [h for h in header if h and h not in COLUMNS]
        missing = [c for c in REQUIRED if c not in header]
        if unknown or missing:
            parts = []
            if missing:
                parts.append(_("saknade kolumner: %(columns)s") % {"columns": ", ".join(missing)})
            if unknown:
                parts.append(_("okända kolumner: %(columns)s") % {"columns": ", ".join(unknown)})
            raise ImportRefused(
                _("Rad 1: %(problems)s. Tillåtna kolumner: %(allowed)s")
                % {"problems": "; ".join(parts), "allowed": ", ".join(COLUMNS)}
            )
        reader.fieldnames = header
        rows = []
        for record in reader:
            if None in record:
                values = {"__error__": _("fler värden än kolumner")}
            else:
                values = {COLUMNS[k]: (v or "").strip() for k, v in record.items() if k}
                if not any(values.values()):
                    continue
            count += 1
            if count <= limit:
                rows.append((reader.line_num, values))
    except csv.Error as e:
        # E.g. a cell over the csv module's field size limit, or a quote that never ends.
        raise ImportRefused(
            _("Rad %(line)s: filen kan inte läsas som CSV (%(error)s).") % {"line": reader.line_num, "error": e}
        ) from None
    if count > limit:
        raise ImportRefused(
            ngettext(
                "Filen har %(count)s rad med kanaler. Högst %(limit)s kan importeras åt gången. "
                "Dela upp listan i flera filer.",
                "Filen har %(count)s rader med kanaler. Högst %(limit)s kan importeras åt gången. "
                "Dela upp listan i flera filer.",
                count,
            )
            % {"count": count, "limit": limit}
        )
    return rows


def rows_validate(*, rows: list[tuple[int, dict]]) -> ImportResult:
    """Each row through the channel form's rules; errors named by their CSV column."""
    result = ImportResult()
    for line, data in rows:
        if "__error__" in data:
            result.errors.append((line, data["__error__"]))
            continue
        form = ChannelImportForm(data)
        if form.is_valid():
            result.rows.append((line, form.cleaned_data))
            continue
        for field_name, messages in form.errors.items():
            column = FIELD_COLUMNS.get(field_name)
            for message in messages:
                result.errors.append((line, f"{column}: {message}" if column else str(message)))
    return result


def channels_import_file(*, raw: bytes, actor, dry_run: bool) -> ImportResult:
    """Check the file's content, read it, validate every row and, when all pass, save them in one
    transaction (or, with ``dry_run``, save and roll back, which also finds duplicates between rows of
    the same file). A refused file raises ImportRefused; any row error: nothing kept. The caller has
    checked the name and size where they apply (upload_read, payload_open)."""
    result = rows_validate(rows=rows_read(text=text_decode(raw=raw)))
    if not result.errors:
        try:
            result.created = services.channels_import(actor=actor, rows=result.rows, dry_run=dry_run)
        except services.ImportFailed as failed:
            result.errors = list(failed.errors)
    result.errors.sort()
    return result


# --- carrying the previewed file to the confirmation ------------------------------------------


def _payload(*, user_pk, name: str, sha256: str, size: int, data: str) -> str:
    return signing.dumps(
        {"user": user_pk, "name": name, "sha256": sha256, "size": size, "data": data}, salt=PAYLOAD_SALT
    )


def payload_sign(*, name: str, raw: bytes, user) -> str:
    """The previewed file for the confirm form's hidden field: signed with SECRET_KEY (any change to it
    breaks the signature), timestamped, bound to the user and carrying the file's SHA-256."""
    return _payload(
        user_pk=user.pk, name=name, sha256=sha256_hex(raw), size=len(raw),
        data=base64.b64encode(zlib.compress(raw)).decode("ascii"),
    )


# Longest upload name Django keeps (UploadedFile truncates to 255), each character at its longest in
# JSON (an astral character escaped as a surrogate pair, \ud83d\ude00: 12 characters).
_NAME_WORST = "\U0001f600" * 255
_CSRF_TOKEN_LENGTH = 64


def confirm_body_max_size(size: int) -> int:
    """The largest body the confirm form can post for a file of ``size`` bytes: the payload of
    payload_sign() for an incompressible file (zlib's worst case, compressBound) with the longest
    possible name and ids, URL-encoded beside the CSRF token. It is built with the same encoder rather
    than estimated, so it cannot drift from payload_sign(). About 1.8 times ``size``."""
    compressed = size + (size >> 12) + (size >> 14) + (size >> 25) + 13 + 6  # zlib's compressBound()
    payload = _payload(
        user_pk=-(10**19), name=_NAME_WORST, sha256="0" * 64, size=10**20,
        data="A" * (4 * math.ceil(compressed / 3)),
    )
    # A signed value is URL-safe base64 and ":" separators; only ":" is escaped ("%3A") in a form body.
    body = len(urlencode({"csrfmiddlewaretoken": "x" * _CSRF_TOKEN_LENGTH, "payload": ""}))
    body += len(payload) + 2 * payload.count(":")
    return body + 16  # the timestamp grows a character over the centuries


def payload_open(*, payload: str, user) -> tuple[str, bytes]:
    """(file name, bytes) of a signed payload from payload_sign(). Raises ImportRefused when it was
    changed, is too old or belongs to someone else, and checks the name and size again (the limit may
    have been lowered since the preview); channels_import_file() then checks the content again."""
    refused = ImportRefused(
        _("Importen kunde inte bekräftas: uppgifterna från förhandsgranskningen är ändrade, för gamla eller "
          "hör till någon annan. Ladda upp filen igen.")
    )
    try:
        data = signing.loads(payload, salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        raise refused from None
    if not isinstance(data, dict) or data.get("user") != user.pk or not isinstance(data.get("size"), int):
        raise refused
    name = str(data.get("name") or "")
    name_check(name=name)
    size_check(size=data["size"])
    try:
        # Bounded: never inflate more than one byte past the size limit.
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.b64decode(data["data"], validate=True), max_bytes() + 1)
    except (KeyError, TypeError, ValueError, zlib.error):
        raise refused from None
    if len(raw) != data["size"] or sha256_hex(raw) != data.get("sha256"):
        raise refused
    return name, raw
