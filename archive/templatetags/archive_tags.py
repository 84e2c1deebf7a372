from django import template

from archive.osl import osl_ground_label
from archive.selectors import can_manage_gallring
from archive.services.delivery import WITHHELD
from archive.services.delivery import local_time as _local_time
from archive.services.delivery import platform_label as _platform_label
from archive.services.delivery import visibility_label as _visibility_label

register = template.Library()


@register.inclusion_tag("archive/_nav.html", takes_context=True)
def archive_nav(context):
    request = context["request"]
    return {"perms_records_officer": can_manage_gallring(request.user), "request": request}


@register.filter
def osl_label(value: str) -> str:
    """An OSL ground's Swedish label (a ground typed before the list existed is shown as it is)."""
    return osl_ground_label(value or "")


@register.filter
def local_time(value) -> str:
    """A moment in the municipality's time zone, as Swedes write it (weekday, date, time)."""
    return _local_time(value)


@register.filter
def field_value(fields: dict, key: str) -> str:
    """A masked copy's value of a delivery field (withheld when the copy does not name it)."""
    return (fields or {}).get(key, WITHHELD)


@register.filter
def visibility_label(value: str) -> str:
    return _visibility_label(value)


@register.filter
def platform_label(value: str) -> str:
    return _platform_label(value)
