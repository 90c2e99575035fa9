from django.urls import path

from exhibitors import views

app_name = "exhibitors"

urlpatterns = [
    path("suppliers/", views.directory, name="directory"),
]
