from django.urls import path

from archive import views

urlpatterns = [
    path("personal/arkiv/", views.search, name="archive-search"),
    path("personal/arkiv/post/<int:sequence>/", views.record_detail, name="archive-record-detail"),
    path("personal/arkiv/post/<int:sequence>/fil/", views.record_file, name="archive-record-file"),
    path("personal/arkiv/post/<int:sequence>/markera/", views.record_mark_csam, name="archive-record-mark-csam"),
    path("personal/arkiv/begaran/", views.request_list, name="archive-request-list"),
    path("personal/arkiv/begaran/ny/", views.request_create, name="archive-request-create"),
    path("personal/arkiv/begaran/<int:pk>/", views.request_detail, name="archive-request-detail"),
    path("personal/arkiv/begaran/<int:pk>/poster/", views.request_add_records, name="archive-request-add-records"),
    path("personal/arkiv/begaran/lagg-till-poster/", views.records_add_to_request,
         name="archive-records-add-to-request"),
    path(
        "personal/arkiv/begaran/<int:pk>/handling/<int:item_pk>/provning/",
        views.request_item_decide,
        name="archive-request-item-decide",
    ),
    path(
        "personal/arkiv/begaran/<int:pk>/handling/<int:item_pk>/maskera/",
        views.request_item_mask,
        name="archive-request-item-mask",
    ),
    path("personal/arkiv/begaran/<int:pk>/avslag/", views.request_refuse, name="archive-request-refuse"),
    path("personal/arkiv/begaran/<int:pk>/avsluta/", views.request_close, name="archive-request-close"),
    path("personal/arkiv/begaran/<int:pk>/export/", views.request_export, name="archive-request-export"),
    path("personal/arkiv/exporter/", views.export_list, name="archive-export-list"),
    path("personal/arkiv/exporter/<int:pk>/", views.export_download, name="archive-export-download"),
    path("personal/arkiv/registerutdrag/", views.subject_extract, name="archive-subject-extract"),
    path("personal/arkiv/e-arkiv/", views.sip_export, name="archive-sip-export"),
    path("personal/arkiv/gallring/", views.rule_list, name="archive-rule-list"),
    path("personal/arkiv/gallring/ny/", views.rule_edit, name="archive-rule-create"),
    path("personal/arkiv/gallring/<int:pk>/", views.rule_edit, name="archive-rule-edit"),
    path("personal/arkiv/gallring/protokoll/", views.protocol_list, name="archive-protocol-list"),
    path("personal/arkiv/gallring/protokoll/<int:pk>/", views.protocol_detail, name="archive-protocol-detail"),
    path("personal/arkiv/sparrar/", views.hold_list, name="archive-hold-list"),
    path("personal/arkiv/sparrar/<int:pk>/hav/", views.hold_release, name="archive-hold-release"),
    path("personal/arkiv/atkomstlogg/", views.access_log, name="archive-access-log"),
]
