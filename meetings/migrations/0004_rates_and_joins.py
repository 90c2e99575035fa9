"""Rates quoted as units per US dollar (exact as banks quote them), frozen rates on deals, and
the company of each join. Existing rates are inverted; existing deals keep their frozen values
but lose the old per-unit rate (they are re-frozen on the next change of amount)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def invert_rates(apps, schema_editor):
    from decimal import ROUND_HALF_EVEN, Decimal

    ExchangeRate = apps.get_model("meetings", "ExchangeRate")
    for rate in ExchangeRate.objects.all():
        units = (Decimal(1) / Decimal(rate.usd_per_unit)).quantize(
            Decimal("0.000001"), rounding=ROUND_HALF_EVEN
        )
        ExchangeRate.objects.filter(pk=rate.pk).update(units_per_usd=units)


class Migration(migrations.Migration):

    dependencies = [
        ('exhibitors', '0003_taxonomy'),
        ('fairsite', '0001_initial'),
        ('meetings', '0003_rooms_and_deals'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='exchangerate',
            name='rate_positive',
        ),
        migrations.AddField(
            model_name='deal',
            name='rated_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='deal',
            name='units_per_usd',
            field=models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True),
        ),
        migrations.AddField(
            model_name='deal',
            name='vnd_per_usd',
            field=models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True),
        ),
        migrations.AddField(
            model_name='exchangerate',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='exchangerate',
            name='units_per_usd',
            field=models.DecimalField(decimal_places=6, max_digits=20, null=True, verbose_name='units per US dollar'),
        ),
        migrations.RunPython(invert_rates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='exchangerate',
            name='units_per_usd',
            field=models.DecimalField(decimal_places=6, max_digits=20, verbose_name='units per US dollar'),
        ),
        migrations.RemoveField(
            model_name='deal',
            name='usd_per_unit',
        ),
        migrations.RemoveField(
            model_name='exchangerate',
            name='usd_per_unit',
        ),
        migrations.AddField(
            model_name='meetingjoin',
            name='company',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='exhibitors.company'),
        ),
        migrations.AddIndex(
            model_name='deal',
            index=models.Index(fields=['fair', 'company'], name='meetings_de_fair_id_02f7fc_idx'),
        ),
        migrations.AddIndex(
            model_name='deal',
            index=models.Index(fields=['meeting'], name='meetings_de_meeting_bf4ee1_idx'),
        ),
        migrations.AddIndex(
            model_name='meetingjoin',
            index=models.Index(fields=['meeting', 'company'], name='meetings_me_meeting_347360_idx'),
        ),
        migrations.AddConstraint(
            model_name='exchangerate',
            constraint=models.CheckConstraint(condition=models.Q(('units_per_usd__gt', 0)), name='rate_positive'),
        ),
    ]
