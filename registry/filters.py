"""The staff channel list's filters, search and sorting (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ChannelStatus, Department, Platform


class SwedishOrderingFilter(django_filters.OrderingFilter):
    descending_fmt = _("%s (fallande)")


class ChannelFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Sök"))
    platform = django_filters.ChoiceFilter(choices=Platform.choices, label=_("Plattform"), empty_label=_("Alla"))
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.none(), label=_("Förvaltning"), empty_label=_("Alla")
    )
    status = django_filters.ChoiceFilter(choices=ChannelStatus.choices, label=_("Status"), empty_label=_("Alla"))
    sort = SwedishOrderingFilter(
        label=_("Sortera"),
        empty_label=_("Förvaltning, namn"),
        fields=(("name", "name"), ("department__name", "department"), ("platform", "platform"),
                ("status", "status"), ("submitted_at", "submitted")),
        field_labels={
            "name": _("Namn"), "department__name": _("Förvaltning"), "platform": _("Plattform"),
            "status": _("Status"), "submitted_at": _("Anmäld"),
        },
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = departments

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(public_url__icontains=value) | Q(account_id__icontains=value)
            | Q(purpose__icontains=value) | Q(department__name__icontains=value)
        )
