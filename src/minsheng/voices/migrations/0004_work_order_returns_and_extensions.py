"""Work orders get a status of their own (open / replied / returned) instead of an open flag, and the
fields of returning a work order and asking for more time."""

from django.db import migrations, models


def status_from_open_flag(apps, schema_editor):
    # Until now a work order closed only when its unit replied. Plain SQL on the table as it is: on SQLite
    # the AddField before this rebuilds the table, and the column is read only where it is still there.
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "voices_workorder")}
    if "is_open" in columns:
        schema_editor.execute("UPDATE voices_workorder SET status = 'replied' WHERE NOT is_open")


class Migration(migrations.Migration):
    dependencies = [
        ("voices", "0003_enterprise_needs"),
    ]

    operations = [
        migrations.AddField(
            model_name="workorder",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "being handled"),
                    ("replied", "replied"),
                    ("returned", "returned as not the unit's business"),
                ],
                default="open",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(status_from_open_flag, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="workorder", name="workorder_one_open_per_voice"),
        migrations.RemoveIndex(model_name="workorder", name="workorder_unit_open_due_idx"),
        migrations.RemoveField(model_name="workorder", name="is_open"),
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(fields=["unit", "status", "due"], name="workorder_unit_status_due_idx"),
        ),
        migrations.AddConstraint(
            model_name="workorder",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "open")), fields=("voice",), name="workorder_one_open_per_voice"
            ),
        ),
        migrations.AddField(
            model_name="workorder",
            name="return_by",
            field=models.DateField(blank=True, null=True, verbose_name="return by"),
        ),
        migrations.AddField(
            model_name="workorder",
            name="return_reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="reason for returning"),
        ),
        migrations.AddField(
            model_name="workorder",
            name="max_due",
            field=models.DateField(blank=True, null=True, verbose_name="latest possible reply date"),
        ),
        migrations.AddField(
            model_name="workorder",
            name="extension_requested_to",
            field=models.DateField(blank=True, null=True, verbose_name="more time asked until"),
        ),
        migrations.AddField(
            model_name="workorder",
            name="extension_request_reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="reason given for more time"),
        ),
        migrations.AddField(
            model_name="workorder",
            name="extension_reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="reason for the extension"),
        ),
    ]
