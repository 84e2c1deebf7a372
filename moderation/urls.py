from django.urls import path

from . import views
from .views import blocks
from .views import stats as st
from .views import workspace as ws

urlpatterns = [
    path("personal/regler/", views.rules, name="moderation-rules"),
    path("personal/regler/tillagg/nytt/", views.addition_propose, name="moderation-addition-propose"),
    path("personal/regler/tillagg/<int:pk>/", views.addition_detail, name="moderation-addition-detail"),
    path("personal/regler/tillagg/<int:pk>/godkann/", views.addition_approve, name="moderation-addition-approve"),
    path("personal/regler/tillagg/<int:pk>/avsla/", views.addition_reject, name="moderation-addition-reject"),
    path("personal/regler/tillagg/<int:pk>/aterkalla/", views.addition_withdraw, name="moderation-addition-withdraw"),
    path("personal/regler/provbank/", views.bench, name="moderation-bench"),
    # The workspace.
    path("personal/inkorg/", ws.queue, name="moderation-queue"),
    path("personal/inkorg/massatgard/", ws.bulk, name="moderation-bulk"),
    path("personal/inkorg/franvaro/", ws.absence, name="moderation-absence"),
    path("personal/inkorg/franvaro/<int:pk>/avsluta/", ws.absence_end, name="moderation-absence-end"),
    path("personal/inkorg/godkannande/<int:pk>/", ws.approval, name="moderation-approval"),
    path("personal/inkorg/<int:pk>/", ws.item, name="moderation-item"),
    path("personal/inkorg/<int:pk>/status/", ws.item_status, name="moderation-item-status"),
    path("personal/inkorg/<int:pk>/ta/", ws.claim, name="moderation-claim"),
    path("personal/inkorg/<int:pk>/slapp/", ws.release, name="moderation-release"),
    path("personal/inkorg/<int:pk>/svara/", ws.answer, name="moderation-answer"),
    path("personal/inkorg/<int:pk>/vidarebefordra/", ws.forward, name="moderation-forward"),
    path("personal/inkorg/<int:pk>/avpublicera/", ws.remove, name="moderation-remove"),
    path("personal/inkorg/<int:pk>/manuell/", ws.manual, name="moderation-manual"),
    path("personal/inkorg/<int:pk>/aterstall/", ws.restore, name="moderation-restore"),
    path("personal/inkorg/<int:pk>/ingen-atgard/", ws.no_action, name="moderation-no-action"),
    path("personal/inkorg/<int:pk>/svarsbehov/", ws.needs_answer, name="moderation-needs-answer"),
    path("personal/inkorg/<int:pk>/diarieforing/", ws.register_case, name="moderation-register"),
    path("personal/inkorg/<int:pk>/overlamna/", ws.handoff, name="moderation-handoff"),
    path("personal/inkorg/<int:pk>/ingen-overlamning/", ws.handoff_waive, name="moderation-handoff-waive"),
    path("personal/inkorg/<int:pk>/sekretess/", ws.mark_secret, name="moderation-mark-secret"),
    path("personal/inkorg/<int:pk>/blockera/", blocks.block, name="moderation-block"),
    path("personal/inkorg/<int:pk>/overgreppsmaterial/", ws.escalate_csam, name="moderation-escalate-csam"),
    path("personal/blockeringar/", blocks.block_list, name="moderation-blocks"),
    path("personal/blockeringar.csv", blocks.block_list_csv, name="moderation-blocks-csv"),
    path("personal/blockeringar/<int:pk>/omprova/", blocks.block_review, name="moderation-block-review"),
    path("personal/blockeringar/<int:pk>/hav/", blocks.block_lift, name="moderation-block-lift"),
    path("personal/inkorg/<int:pk>/meddelande.eml", ws.handoff_eml, name="moderation-eml"),
    path("personal/inkorg/<int:pk>/anteckning/", ws.note, name="moderation-note"),
    path("personal/inkorg/<int:pk>/forsok-igen/", ws.retry, name="moderation-retry"),
    path("personal/inkorg/<int:pk>/avbryt-atgard/", ws.cancel_action, name="moderation-cancel-action"),
    # Statistics, audit and settings (the informatör), the public transparency page.
    path("personal/statistik/", st.dashboard, name="moderation-dashboard"),
    path("personal/statistik/logg/", st.audit, name="moderation-audit"),
    path("personal/statistik/logg.csv", st.audit_csv, name="moderation-audit-csv"),
    path("personal/statistik/installningar/", st.department_settings, name="moderation-settings"),
    path("personal/statistik/installningar/<int:pk>/", st.department_settings_set, name="moderation-settings-set"),
    path("insyn/", st.transparency, name="moderation-transparency"),
]
