"""Covering indexes for the district, bank and ``near`` filters of the public directory (ssc.directory.search)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0003_alter_outlet_status'),
        ('roster', '0007_covering_initials'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='rosterentry',
            name='roster_entry_geo2_ix',
        ),
        # Drop the single-column index without AlterField: on SQLite that rebuilds the table, which would drop
        # the triggers of migrations 0002, 0004-0006.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name='rosterentry', name='bank_id', field=models.BigIntegerField()),
            ],
            database_operations=[migrations.RunSQL(
                    'DROP INDEX IF EXISTS "roster_rosterentry_bank_id_f500da08"', 'CREATE INDEX "roster_rosterentry_bank_id_f500da08" ON "roster_rosterentry" ("bank_id")'
                )],
        ),
        # Drop the single-column index without AlterField: on SQLite that rebuilds the table, which would drop
        # the triggers of migrations 0002, 0004-0006.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name='rosterentry', name='district_id', field=models.BigIntegerField()),
            ],
            database_operations=[migrations.RunSQL(
                    'DROP INDEX IF EXISTS "roster_rosterentry_district_id_b3c57534"', 'CREATE INDEX "roster_rosterentry_district_id_b3c57534" ON "roster_rosterentry" ("district_id")'
                )],
        ),
        migrations.AddIndex(
            model_name='rosterentry',
            index=models.Index(fields=['district_id', 'hidden', 'name_pinyin', 'outlet_id', 'services', 'instant_issuance'], name='roster_entry_district_ix'),
        ),
        migrations.AddIndex(
            model_name='rosterentry',
            index=models.Index(fields=['bank_id', 'hidden', 'name_pinyin', 'outlet_id', 'services', 'instant_issuance'], name='roster_entry_bank_ix'),
        ),
        migrations.AddIndex(
            model_name='rosterentry',
            index=models.Index(fields=['latitude', 'longitude', 'hidden', 'outlet_id', 'services', 'instant_issuance'], name='roster_entry_geo3_ix'),
        ),
    ]
