from django import template

from archive.selectors import can_manage_gallring

register = template.Library()


@register.inclusion_tag("archive/_nav.html", takes_context=True)
def archive_nav(context):
    request = context["request"]
    return {"perms_records_officer": can_manage_gallring(request.user), "request": request}
