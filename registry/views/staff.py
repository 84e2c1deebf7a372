"""Staff pages of the registry: the informatör's and the departments' management of channels."""

from django.shortcuts import render

from ludvika_social.access import role_required
from registry import selectors
from registry.models import Party, Role


@role_required()
def channel_list(request):
    channels = selectors.channels_visible_to(user=request.user)
    return render(request, "registry/staff/channel_list.html", {"channels": channels})


@role_required()
def channel_detail(request, pk: int):
    channel = selectors.channel_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "registry/staff/channel_detail.html",
        {"channel": channel, "changes": selectors.channel_change_records(channel=channel)},
    )


@role_required(Role.INFORMATOR)
def party_list(request):
    return render(request, "registry/staff/party_list.html", {"parties": Party.objects.all()})


@role_required(Role.INFORMATOR, Role.DEPARTMENT_ADMIN)
def department_list(request):
    from registry.models import Department

    return render(
        request, "registry/staff/department_list.html", {"departments": Department.objects.select_related("board")}
    )
