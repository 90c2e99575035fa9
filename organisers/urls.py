from django.urls import path

from organisers import views

app_name = "organisers"

urlpatterns = [
    path("organiser/", views.dashboard, name="dashboard"),
    path("organiser/stats.json", views.stats_json, name="stats"),
    path("organiser/report/", views.report, name="report"),
    path("organiser/report.pdf", views.report_pdf, name="report_pdf"),
    path("companies/<slug:slug>/figures/", views.company_figures, name="company_figures"),
    path("companies/<slug:slug>/leads.<slug:fmt>", views.company_leads, name="company_leads"),
    path("organiser/handbook/", views.handbook, name="handbook"),
    path("organiser/handbook/<slug:language>.pdf", views.handbook_pdf, name="handbook_pdf"),
    path("organiser/export/<slug:table>.<slug:fmt>", views.export, name="export"),
]
