from django import template

from registry.links import web_url as _web_url

register = template.Library()


@register.filter
def web_url(value):
    """``{{ channel.public_url|web_url }}``: the address only if it is http(s) (registry/links.py)."""
    return _web_url(value)
