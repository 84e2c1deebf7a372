"""The grounds for secrecy (offentlighets- och sekretesslagen, OSL) that staff choose from.

One list serves the sekretess marking of a record (OSL 5:5), the masking of a partial release and
the refusal of a record in a request: the ground is always chosen, never typed, so a decision can
be read and counted, and an appeal court sees the provision the decision rests on. The list holds
the provisions a municipality's social-media channels meet in practice; a provision that is missing
is added here (with its English translation), not typed into a form.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class OslGround(models.TextChoices):
    SECURITY = "OSL 18:8", gettext_lazy("18 kap. 8 § OSL – säkerhets- och bevakningsåtgärder")
    PROCUREMENT = "OSL 19:3", gettext_lazy("19 kap. 3 § OSL – upphandling")
    HEALTH = "OSL 21:1", gettext_lazy("21 kap. 1 § OSL – uppgift om hälsa eller sexualliv")
    PERSECUTED = "OSL 21:3", gettext_lazy("21 kap. 3 § OSL – adress och liknande när någon kan förföljas")
    FOREIGNER = "OSL 21:5", gettext_lazy("21 kap. 5 § OSL – utlänning som kan utsättas för fara")
    DATA_PROTECTION = "OSL 21:7", gettext_lazy(
        "21 kap. 7 § OSL – personuppgifter som skulle behandlas i strid med dataskyddsregleringen"
    )
    PRESCHOOL = "OSL 23:1", gettext_lazy("23 kap. 1 § OSL – förskola och annan pedagogisk verksamhet")
    SCHOOL = "OSL 23:2", gettext_lazy("23 kap. 2 § OSL – skolväsendet (elevhälsa, särskilt stöd)")
    HEALTH_CARE = "OSL 25:1", gettext_lazy("25 kap. 1 § OSL – hälso- och sjukvård")
    SOCIAL_SERVICES = "OSL 26:1", gettext_lazy("26 kap. 1 § OSL – socialtjänst")
    SOCIAL_SERVICES_OTHER = "OSL 26:7", gettext_lazy(
        "26 kap. 7 § OSL – socialtjänst: anmälan eller utsaga från enskild"
    )
    PERSONNEL = "OSL 39:3", gettext_lazy("39 kap. 3 § OSL – personaladministration (hälsa, sjukdom)")


def osl_ground_clean(value: str | None, *, required_message: str) -> str:
    """The ground's code, or a Swedish ValidationError: none given, or one not in the list."""
    value = (value or "").strip()
    if not value:
        raise ValidationError(required_message)
    if value not in OslGround.values:
        raise ValidationError(_("Välj sekretessgrunden ur listan; ”%(value)s” finns inte där.") % {"value": value[:60]})
    return value


def osl_ground_label(value: str) -> str:
    """The ground's Swedish label; a code from before the list (free text then) is shown as it is."""
    try:
        return str(OslGround(value).label)
    except ValueError:
        return value
