from django import template

from registry.links import web_url as _web_url

register = template.Library()


@register.filter
def web_url(value):
    """``{{ channel.public_url|web_url }}``: the address only if it is http(s) (registry/links.py)."""
    return _web_url(value)


@register.filter
def policy_body(text: str):
    """A comment policy version's plain text as HTML: "## " lines become headings, "- " lines list
    items, other lines paragraphs. Every piece of text is escaped; only these tags are added."""
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    parts, items = [], []

    def flush():
        if items:
            parts.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items))))
            items.clear()

    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith("- "):
            items.append(line[2:].strip())
            continue
        flush()
        if line.startswith("## "):
            parts.append(format_html("<h2>{}</h2>", line[3:].strip()))
        elif line:
            parts.append(format_html("<p>{}</p>", line))
    flush()
    return mark_safe("\n".join(str(p) for p in parts))  # noqa: S308 (every part is built by format_html)
