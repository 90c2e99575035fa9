from django.urls import path

from exhibitors import hall, views

app_name = "exhibitors"

urlpatterns = [
    path("suppliers/", views.directory, name="directory"),
    path("suppliers/<slug:slug>/", views.company_detail, name="company_detail"),
    path("buyers/", views.buyer_directory, name="buyer_directory"),
    path("buyers/<slug:slug>/", views.buyer_detail, name="buyer_detail"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/company/new/", views.company_create, name="company_create"),
    path("onboarding/company/join/", views.company_join, name="company_join"),
    path("companies/<slug:slug>/edit/", views.company_edit, name="company_edit"),
    path("companies/<slug:slug>/members/", views.company_members, name="company_members"),
    path(
        "companies/<slug:slug>/members/<int:member_id>/approve/",
        views.member_approve,
        name="member_approve",
    ),
    path(
        "companies/<slug:slug>/members/<int:member_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "companies/<slug:slug>/members/<int:member_id>/reject/",
        views.member_reject,
        name="member_reject",
    ),
    path("my-account/", views.account, name="account"),
    path("badge/", views.badge, name="badge"),
    path("badge/qr.svg", views.badge_qr, name="badge_qr"),
    path("badge/badge.pdf", views.badge_own_pdf, name="badge_pdf"),
    # The hall: check-in, badges, hall staff (exhibitors/hall.py).
    path("hall/", hall.checkin, name="hall_checkin"),
    path("hall/badges/", hall.badge_list, name="hall_badges"),
    path("hall/badges/<int:pk>/badge.pdf", hall.badge_print, name="hall_badge_print"),
    path("hall/badges/<int:pk>/revoke/", hall.badge_revoke, name="hall_badge_revoke"),
    path("hall/badges/<int:pk>/restore/", hall.badge_restore, name="hall_badge_restore"),
    path("hall/staff/", hall.hall_staff, name="hall_staff"),
    path("hall/staff/<int:user_id>/remove/", hall.hall_staff_remove, name="hall_staff_remove"),
]
