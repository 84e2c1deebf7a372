from django.urls import path

from . import views

urlpatterns = [
    path("personal/regler/", views.rules, name="moderation-rules"),
    path("personal/regler/tillagg/nytt/", views.addition_propose, name="moderation-addition-propose"),
    path("personal/regler/tillagg/<int:pk>/", views.addition_detail, name="moderation-addition-detail"),
    path("personal/regler/tillagg/<int:pk>/godkann/", views.addition_approve, name="moderation-addition-approve"),
    path("personal/regler/tillagg/<int:pk>/avsla/", views.addition_reject, name="moderation-addition-reject"),
    path("personal/regler/tillagg/<int:pk>/aterkalla/", views.addition_withdraw, name="moderation-addition-withdraw"),
    path("personal/regler/provbank/", views.bench, name="moderation-bench"),
]
