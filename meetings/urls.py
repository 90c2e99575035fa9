from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/<int:pk>/", views.room, name="room"),
    path("meetings/<int:pk>/join/", views.join, name="join"),
    path("meetings/<int:pk>/link/", views.video_link, name="video_link"),
    path("meetings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("meetings/<int:pk>/mark/", views.mark, name="mark"),
    path("meetings/<int:pk>/checkin/<str:token>/", views.checkin, name="checkin"),
    path("meetings/<int:pk>/checkin.svg", views.checkin_qr, name="checkin_qr"),
    path("meetings/<int:pk>/outcome/", views.meeting_deal, name="meeting_deal"),
    path("deals/", views.deal_list, name="deals"),
    path("deals/walk-in/", views.walk_in, name="walk_in"),
    path("deals/export.csv", views.deal_export, name="deal_export"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("organiser/rates/", views.rates, name="rates"),
]
