from django.db import migrations


def create_taxonomy(apps, schema_editor):
    from exhibitors.enums import CERTIFICATIONS, SECTORS

    Sector = apps.get_model("exhibitors", "Sector")
    Certification = apps.get_model("exhibitors", "Certification")
    for position, (code, _label) in enumerate(SECTORS):
        Sector.objects.update_or_create(code=code, defaults={"position": position})
    for position, (code, _label) in enumerate(CERTIFICATIONS):
        Certification.objects.update_or_create(code=code, defaults={"position": position})


def create_organisers_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="organisers")


class Migration(migrations.Migration):
    dependencies = [
        ("exhibitors", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_taxonomy, migrations.RunPython.noop),
        migrations.RunPython(create_organisers_group, migrations.RunPython.noop),
    ]
