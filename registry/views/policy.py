"""The informatör's page for the public comment policy: its versions and publishing a new one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ludvika_social.access import role_required
from registry import forms, selectors, services
from registry.models import Role


@role_required(Role.INFORMATOR)
@require_http_methods(["GET", "POST"])
def policy_list(request):
    current = selectors.comment_policy_current()
    initial = {"valid_from": timezone.localdate(), "body": current.body if current else ""}
    form = forms.CommentPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            policy = services.comment_policy_publish(
                actor=request.user, valid_from=data["valid_from"], body=data["body"],
                change_note=data["change_note"], version=data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Version %(v)s är publicerad.") % {"v": policy.version})
            return redirect("registry-policy-list")
    return render(request, "registry/staff/policy_list.html", {
        "form": form, "current": current, "versions": list(selectors.comment_policy_versions()),
    }, status=400 if form.errors else 200)
