"""System checks of the registry's settings (python manage.py check, and every runserver/migrate).

The channel import's confirm form posts the previewed file back in a signed field (registry.imports),
so its body is about 1.8 times the largest file. Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE
with a bare 400, so a REGISTRY_IMPORT_MAX_BYTES that does not fit is a configuration error, found at
start-up rather than by the informatör on the largest file.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.template.defaultfilters import filesizeformat

from . import imports


@checks.register(checks.Tags.compatibility)
def import_confirm_fits_request_limit(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    limit = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)
    if limit is None:  # Django's setting for "no limit"
        return []
    needed = imports.confirm_body_max_size(imports.max_bytes())
    if needed <= limit:
        return []
    file_size = imports.max_bytes()
    return [
        checks.Error(
            f"REGISTRY_IMPORT_MAX_BYTES ({file_size} byte, {filesizeformat(file_size)}) ryms inte i "
            f"DATA_UPLOAD_MAX_MEMORY_SIZE ({limit} byte): bekräftelsen av en så stor kanalimport skickar upp till "
            f"{needed} byte och skulle stoppas med 400 (the channel import's confirm form would exceed the limit).",
            hint=f"Sätt DATA_UPLOAD_MAX_MEMORY_SIZE till minst {needed} eller sänk REGISTRY_IMPORT_MAX_BYTES.",
            id="registry.E001",
        )
    ]
