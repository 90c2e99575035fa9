from django.urls import path

from fairsite import notifications_views as views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("notifications/read-all/", views.notifications_read_all, name="read_all"),
    path("notifications/feed.json", views.notification_feed, name="feed"),
    path("notifications/reminders/", views.reminder_settings, name="reminders"),
]
