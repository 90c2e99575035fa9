from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from fairsite import views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/language/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("exhibitors.urls")),
    path("", include("matchmaking.urls")),
    path("", include("meetings.urls")),
    path("", include("fairsite.notifications_urls")),
    path("", include("organisers.urls")),
]

if settings.DEBUG:
    urlpatterns += [
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}, name="media"),
    ]
