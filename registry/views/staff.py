"""Staff pages of the registry: the informatör's and the departments' management of channels,
appointments, decisions, boards, departments, parties and staff accounts.

Views are thin: one access decorator, one access-checked lookup per object, a form, a service.
State changes are POST only; a refused change shows its reason and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ludvika_social.access import public, role_required
from registry import filters, forms, selectors, services
from registry.models import ChangeRecord, ChannelStatus, Department, Role
from registry.roles import is_informator
from registry.selectors import CHANGE, COORDINATE

INFORMATOR = Role.INFORMATOR
DEPARTMENT_ADMIN = Role.DEPARTMENT_ADMIN
PAGE_SIZE = 25


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _save_form(request, form, save) -> object | None:
    """Run ``save`` for a valid form; a service's refusal becomes a form error and nothing is saved."""
    if not form.is_valid():
        return None
    try:
        return save()
    except ValidationError as e:
        if hasattr(e, "error_dict"):
            for field, errors in e.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, e)
        return None


def _history(records):
    return selectors.history_rows(records[:200])


# --- channels --------------------------------------------------------------------------------


@role_required()
def channel_list(request):
    visible = selectors.channels_visible_to(user=request.user)
    departments = Department.objects.filter(pk__in=visible.values("department_id"))
    channel_filter = filters.ChannelFilter(request.GET or None, queryset=visible, departments=departments)
    page = Paginator(channel_filter.qs, PAGE_SIZE).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    return render(request, "registry/staff/channel_list.html", {
        "filter": channel_filter,
        "page": page,
        "query": query.urlencode(),
        "can_add": selectors.department_choices_for_user(user=request.user).exists(),
        "coordinator": is_informator(request.user),
    })


@role_required()
def channel_detail(request, pk: int):
    channel = selectors.channel_get_for_user(user=request.user, pk=pk)
    user = request.user
    can_change = selectors.can_change_department(user=user, department_id=channel.department_id)
    coordinator = is_informator(user)
    decision = selectors.decision_in_force(department_id=channel.department_id)
    try:
        health_url = reverse("channels-channel-health", kwargs={"pk": channel.pk})
    except NoReverseMatch:
        health_url = None
    return render(request, "registry/staff/channel_detail.html", {
        "channel": channel,
        "appointments": selectors.channel_appointments(channel=channel),
        "history": _history(selectors.channel_change_records(channel=channel)),
        "can_change": can_change and channel.status in (ChannelStatus.SUBMITTED, ChannelStatus.ACTIVE),
        "can_edit": coordinator or (can_change and channel.status in (ChannelStatus.SUBMITTED, ChannelStatus.ACTIVE)),
        "coordinator": coordinator,
        "approve_form": forms.ApproveForm(initial={
            "profile_picture_ok": channel.profile_picture_ok, "profile_name_ok": channel.profile_name_ok,
            "official_marking_ok": channel.official_marking_ok,
        }),
        "reject_form": forms.RejectForm(),
        "closure_form": forms.ClosureForm(initial={"reason": channel.closure_reason}),
        "health_url": health_url,
        # The decision the channel rests on (shown where the anmälan is decided).
        "decision": decision,
        "decision_covers": selectors.decision_covers(decision=decision, platform=channel.platform),
    })


@role_required(INFORMATOR, DEPARTMENT_ADMIN)
def channel_create(request):
    """The informatör registers an active channel; a department admin anmäler one for approval."""
    coordinator = is_informator(request.user)
    form = forms.ChannelForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if coordinator:
            channel = _save_form(request, form, lambda: services.channel_create(actor=request.user, data=form.cleaned_data))
        else:
            channel = _save_form(request, form, lambda: services.channel_submit(
                actor=request.user, data=form.cleaned_data, base_url=_base_url(request)))
        if channel is not None:
            messages.success(request, _("Kanalen är registrerad.") if coordinator
                             else _("Kanalen är anmäld. Informatören har fått besked och godkänner den."))
            return redirect("registry-channel-detail", channel.pk)
    return render(request, "registry/staff/channel_form.html", {"form": form, "coordinator": coordinator})


@role_required(INFORMATOR, DEPARTMENT_ADMIN)
def channel_edit(request, pk: int):
    channel = selectors.channel_get_for_user(user=request.user, pk=pk, action=CHANGE)
    if not is_informator(request.user) and channel.status not in (ChannelStatus.SUBMITTED, ChannelStatus.ACTIVE):
        messages.error(request, _("En avslutad eller avslagen kanal kan bara ändras av informatören."))
        return redirect("registry-channel-detail", channel.pk)
    form = forms.ChannelForm(request.POST or None, instance=channel, user=request.user)
    if request.method == "POST" and _save_form(
        request, form, lambda: services.channel_update(actor=request.user, channel=channel, data=form.cleaned_data)
    ):
        messages.success(request, _("Ändringarna är sparade."))
        return redirect("registry-channel-detail", channel.pk)
    return render(request, "registry/staff/channel_form.html", {"form": form, "channel": channel})


def _channel_action(request, pk: int, action: str, form_class, run, success: str):
    channel = selectors.channel_get_for_user(user=request.user, pk=pk, action=action)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("registry-channel-detail", channel.pk)
    try:
        run(channel, form.cleaned_data)
    except ValidationError as e:
        _refused(request, e)
    else:
        messages.success(request, success)
    return redirect("registry-channel-detail", channel.pk)


@role_required(INFORMATOR)
@require_POST
def channel_approve(request, pk: int):
    return _channel_action(
        request, pk, COORDINATE, forms.ApproveForm,
        lambda channel, data: services.channel_approve(
            actor=request.user, channel=channel, checklist=data, note=data["note"],
            without_decision=data["without_decision"]),
        _("Anmälan är godkänd. Kanalen är aktiv och visas på den publika listan."),
    )


@role_required(INFORMATOR)
@require_POST
def channel_reject(request, pk: int):
    return _channel_action(
        request, pk, COORDINATE, forms.RejectForm,
        lambda channel, data: services.channel_reject(actor=request.user, channel=channel, motivation=data["motivation"]),
        _("Anmälan är avslagen."),
    )


@role_required(INFORMATOR, DEPARTMENT_ADMIN)
@require_POST
def channel_request_closure(request, pk: int):
    return _channel_action(
        request, pk, CHANGE, forms.ClosureForm,
        lambda channel, data: services.channel_closure_request(
            actor=request.user, channel=channel, reason=data["reason"], base_url=_base_url(request)),
        _("Avslutet är anmält till informatören."),
    )


@role_required(INFORMATOR)
@require_POST
def channel_close(request, pk: int):
    return _channel_action(
        request, pk, COORDINATE, forms.ClosureForm,
        lambda channel, data: services.channel_close(actor=request.user, channel=channel, reason=data["reason"]),
        _("Kanalen är avslutad och visas inte längre på den publika listan."),
    )


# --- appointments ----------------------------------------------------------------------------


@role_required(INFORMATOR, DEPARTMENT_ADMIN)
def appointment_create(request, pk: int):
    channel = selectors.channel_get_for_user(user=request.user, pk=pk, action=CHANGE)
    form = forms.AppointmentForm(request.POST or None)
    if request.method == "POST" and _save_form(request, form, lambda: services.appointment_create(
        actor=request.user, channel=channel, **form.cleaned_data
    )):
        messages.success(request, _("Förordnandet är sparat."))
        return redirect("registry-channel-detail", channel.pk)
    return render(request, "registry/staff/appointment_form.html", {"form": form, "channel": channel})


@role_required(INFORMATOR, DEPARTMENT_ADMIN)
def appointment_end(request, pk: int):
    appointment = selectors.appointment_get_for_user(user=request.user, pk=pk, action=CHANGE)
    form = forms.AppointmentEndForm(request.POST or None, appointment=appointment)
    if request.method == "POST" and _save_form(request, form, lambda: services.appointment_end(
        actor=request.user, appointment=appointment, ends_on=form.cleaned_data["ends_on"]
    )):
        messages.success(request, _("Förordnandet är avslutat."))
        return redirect("registry-channel-detail", appointment.channel_id)
    return render(request, "registry/staff/appointment_end.html", {"form": form, "appointment": appointment})


# --- departments and their decisions ----------------------------------------------------------


@role_required(INFORMATOR, DEPARTMENT_ADMIN)
def department_list(request):
    return render(request, "registry/staff/department_list.html", {
        "departments": selectors.departments_with_counts(user=request.user),
        "coordinator": is_informator(request.user),
    })


@role_required(INFORMATOR, DEPARTMENT_ADMIN)
def department_detail(request, pk: int):
    department = selectors.department_get_for_user(user=request.user, pk=pk)
    overview = selectors.department_overview(department=department)
    return render(request, "registry/staff/department_detail.html", {
        "department": department,
        **overview,
        "history": _history(overview["changes"]),
        "can_change": selectors.can_change_department(user=request.user, department_id=department.pk),
        "coordinator": is_informator(request.user),
    })


@role_required(INFORMATOR)
def department_create(request):
    form = forms.DepartmentForm(request.POST or None)
    if request.method == "POST" and (department := _save_form(
        request, form, lambda: services.department_save(actor=request.user, data=form.cleaned_data)
    )):
        messages.success(request, _("Förvaltningen är sparad."))
        return redirect("registry-department-detail", department.pk)
    return render(request, "registry/staff/simple_form.html", {
        "form": form, "title": _("Ny förvaltning"), "back": reverse("registry-department-list")})


@role_required(INFORMATOR)
def department_edit(request, pk: int):
    department = selectors.department_get_for_user(user=request.user, pk=pk, action=COORDINATE)
    form = forms.DepartmentForm(request.POST or None, instance=department)
    if request.method == "POST" and _save_form(request, form, lambda: services.department_save(
        actor=request.user, data=form.cleaned_data, department=department
    )):
        messages.success(request, _("Förvaltningen är sparad."))
        return redirect("registry-department-detail", department.pk)
    return render(request, "registry/staff/simple_form.html", {
        "form": form, "title": _("Ändra förvaltning"), "back": reverse("registry-department-detail", args=[pk])})


@role_required(INFORMATOR, DEPARTMENT_ADMIN)
def decision_create(request, pk: int):
    department = selectors.department_get_for_user(user=request.user, pk=pk, action=CHANGE)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and _save_form(request, form, lambda: services.decision_create(
        actor=request.user, department=department, data=form.cleaned_data
    )):
        messages.success(request, _("Beslutet är registrerat."))
        return redirect("registry-department-detail", department.pk)
    return render(request, "registry/staff/simple_form.html", {
        "form": form, "title": _("Nytt beslut för %(name)s") % {"name": department.name},
        "back": reverse("registry-department-detail", args=[pk])})


@role_required(INFORMATOR, DEPARTMENT_ADMIN)
def decision_edit(request, pk: int):
    decision = selectors.decision_get_for_user(user=request.user, pk=pk, action=CHANGE)
    form = forms.DecisionForm(request.POST or None, instance=decision)
    if request.method == "POST" and _save_form(request, form, lambda: services.decision_update(
        actor=request.user, decision=decision, data=form.cleaned_data
    )):
        messages.success(request, _("Beslutet är ändrat."))
        return redirect("registry-department-detail", decision.department_id)
    return render(request, "registry/staff/simple_form.html", {
        "form": form, "title": _("Rätta beslut"),
        "back": reverse("registry-department-detail", args=[decision.department_id])})


# --- boards and parties (the informatör) ------------------------------------------------------


@role_required(INFORMATOR)
def board_list(request):
    return render(request, "registry/staff/board_list.html", {"boards": selectors.boards_with_counts()})


def _simple_edit(request, *, form, save, title: str, back: str, history=None, success: str):
    if request.method == "POST" and _save_form(request, form, save):
        messages.success(request, success)
        return redirect(back)
    return render(request, "registry/staff/simple_form.html", {
        "form": form, "title": title, "back": back, "history": history})


@role_required(INFORMATOR)
def board_create(request):
    form = forms.BoardForm(request.POST or None)
    return _simple_edit(
        request, form=form, title=_("Ny nämnd"), back=reverse("registry-board-list"), success=_("Nämnden är sparad."),
        save=lambda: services.board_save(actor=request.user, data=form.cleaned_data),
    )


@role_required(INFORMATOR)
def board_edit(request, pk: int):
    board = selectors.board_get_for_user(user=request.user, pk=pk)
    form = forms.BoardForm(request.POST or None, instance=board)
    return _simple_edit(
        request, form=form, title=_("Ändra nämnd"), back=reverse("registry-board-list"), success=_("Nämnden är sparad."),
        save=lambda: services.board_save(actor=request.user, data=form.cleaned_data, board=board),
        history=_history(selectors.change_records_for(object_type=ChangeRecord.ObjectType.BOARD, object_id=board.pk)),
    )


@role_required(INFORMATOR)
def party_list(request):
    return render(request, "registry/staff/party_list.html", {"parties": selectors.all_parties()})


@role_required(INFORMATOR)
def party_create(request):
    form = forms.PartyForm(request.POST or None)
    return _simple_edit(
        request, form=form, title=_("Nytt parti"), back=reverse("registry-party-list"), success=_("Partiet är sparat."),
        save=lambda: services.party_save(actor=request.user, data=form.cleaned_data),
    )


@role_required(INFORMATOR)
def party_edit(request, pk: int):
    party = selectors.party_get_for_user(user=request.user, pk=pk)
    form = forms.PartyForm(request.POST or None, instance=party)
    return _simple_edit(
        request, form=form, title=_("Ändra parti"), back=reverse("registry-party-list"), success=_("Partiet är sparat."),
        save=lambda: services.party_save(actor=request.user, data=form.cleaned_data, party=party),
        history=_history(selectors.change_records_for(object_type=ChangeRecord.ObjectType.PARTY, object_id=party.pk)),
    )


# --- staff accounts (the informatör) ----------------------------------------------------------


@role_required(INFORMATOR)
def user_list(request):
    page = Paginator(selectors.staff_users(), 50).get_page(request.GET.get("sida"))
    labels = dict(Role.choices)
    for account in page.object_list:
        account.role_labels = [str(labels[g.name]) for g in account.groups.all() if g.name in labels]
    return render(request, "registry/staff/user_list.html", {"page": page})


@role_required(INFORMATOR)
def user_create(request):
    form = forms.StaffUserCreateForm(request.POST or None)
    if request.method == "POST" and (user := _save_form(request, form, lambda: services.staff_user_create(
        actor=request.user, data=form.cleaned_data, password=form.cleaned_data.get("password1") or "",
        base_url=_base_url(request),
    ))):
        if form.cleaned_data.get("password1"):
            messages.success(request, _("Kontot är skapat med det angivna startlösenordet."))
        else:
            messages.success(request, _("Kontot är skapat. En länk för att välja lösenord har skickats till %(email)s.")
                             % {"email": user.email})
        return redirect("registry-user-detail", user.pk)
    return render(request, "registry/staff/simple_form.html", {
        "form": form, "title": _("Nytt konto"), "back": reverse("registry-user-list")})


@role_required(INFORMATOR)
def user_detail(request, pk: int):
    account = selectors.staff_user_get_for_user(user=request.user, pk=pk)
    profile = getattr(account, "staff_profile", None)
    form = forms.StaffUserForm(request.POST or None, instance=account, initial={
        "first_name": account.first_name, "last_name": account.last_name, "email": account.email,
        "roles": [g.name for g in account.groups.all()],
        "department": profile.department_id if profile else None,
    })
    if request.method == "POST" and _save_form(request, form, lambda: services.staff_user_update(
        actor=request.user, user=account, data=form.cleaned_data
    )):
        messages.success(request, _("Kontot är sparat."))
        return redirect("registry-user-detail", account.pk)
    return render(request, "registry/staff/user_detail.html", {
        "account": account, "form": form,
        "history": _history(selectors.change_records_for(object_type=ChangeRecord.ObjectType.USER, object_id=account.pk)),
    })


@role_required(INFORMATOR)
@require_POST
def user_set_active(request, pk: int):
    account = selectors.staff_user_get_for_user(user=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.staff_user_set_active(actor=request.user, user=account, active=active)
    except ValidationError as e:
        _refused(request, e)
    else:
        messages.success(request, _("Kontot är aktiverat.") if active else _("Kontot är inaktiverat."))
    return redirect("registry-user-detail", account.pk)


@role_required(INFORMATOR)
@require_POST
def user_send_link(request, pk: int):
    account = selectors.staff_user_get_for_user(user=request.user, pk=pk)
    try:
        services.staff_user_send_password_link(actor=request.user, user=account, base_url=_base_url(request))
    except ValidationError as e:
        _refused(request, e)
    else:
        messages.success(request, _("En länk för att välja lösenord har skickats till %(email)s.")
                         % {"email": account.email})
    return redirect("registry-user-detail", account.pk)


@role_required(INFORMATOR)
def user_password(request, pk: int):
    account = selectors.staff_user_get_for_user(user=request.user, pk=pk)
    form = forms.StaffPasswordForm(request.POST or None, user=account)
    if request.method == "POST" and _save_form(request, form, lambda: services.staff_user_set_password(
        actor=request.user, user=account, password=form.cleaned_data["password1"]
    )):
        messages.success(request, _("Lösenordet är satt. Lämna det till personen på ett säkert sätt."))
        return redirect("registry-user-detail", account.pk)
    return render(request, "registry/staff/simple_form.html", {
        "form": form, "title": _("Sätt startlösenord för %(name)s") % {"name": account.get_full_name() or account},
        "back": reverse("registry-user-detail", args=[pk])})


# The link in the set-password e-mail: Django's token check, no login needed.
set_password = public(auth_views.PasswordResetConfirmView.as_view(
    template_name="registry/staff/set_password.html",
    success_url=reverse_lazy("login"),
))
