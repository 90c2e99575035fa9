from django.urls import path

from matchmaking import views

app_name = "matchmaking"

urlpatterns = [
    path("recommendations/", views.recommendations, name="recommendations"),
    path("companies/<int:pk>/interest/", views.interest_set, name="interest_set"),
    path("companies/<int:pk>/request/", views.request_create, name="request_create"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("requests/<int:pk>/counter/", views.request_counter, name="request_counter"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("availability/", views.availability, name="availability"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/<int:pk>/invitation.ics", views.meeting_ics, name="meeting_ics"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("organiser/grid/", views.grid_settings, name="grid_settings"),
    path("organiser/recommendations/", views.recommendations_run, name="recommendations_run"),
    path("organiser/scheduler/", views.scheduler, name="scheduler"),
    path("organiser/scheduler/<int:pk>/", views.scheduler_run, name="scheduler_run"),
    path(
        "organiser/scheduler/<int:pk>/publish/", views.scheduler_publish, name="scheduler_publish"
    ),
    path("organiser/scheduler/<int:pk>/resume/", views.scheduler_resume, name="scheduler_resume"),
    path("waitlist/", views.waitlist_page, name="waitlist"),
    path("companies/<int:pk>/waitlist/join/", views.waitlist_join, name="waitlist_join"),
    path("waitlist/<int:pk>/leave/", views.waitlist_leave, name="waitlist_leave"),
    path(
        "waitlist/offers/<int:pk>/accept/",
        views.waitlist_offer_accept,
        name="waitlist_offer_accept",
    ),
    path(
        "waitlist/offers/<int:pk>/decline/",
        views.waitlist_offer_decline,
        name="waitlist_offer_decline",
    ),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/<int:pk>/", views.feedback_give, name="feedback_give"),
    path("organiser/feedback/", views.feedback_answers, name="feedback_answers"),
]
