"""The contact point as structured data (ADR 0053): the one-line ``contact_point`` each
organisation had becomes its team name, word for word; telephone, email, hours and out-of-hours
route start empty for its administrators to fill in."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_webhook_secret_rotation")]

    operations = [
        migrations.RenameField("organisation", "contact_point", "contact_team"),
        migrations.AlterField(
            model_name="organisation",
            name="contact_team",
            field=models.CharField(
                blank=True,
                help_text="The team Immigration Enforcement should contact about a protection.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="contact_telephone",
            field=models.CharField(blank=True, max_length=30),
        ),
        migrations.AddField(
            model_name="organisation",
            name="contact_email",
            field=models.CharField(blank=True, max_length=254),
        ),
        migrations.AddField(
            model_name="organisation",
            name="contact_hours",
            field=models.CharField(
                blank=True, help_text="For example, Monday to Friday, 8am to 6pm.", max_length=200
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="contact_out_of_hours",
            field=models.CharField(
                blank=True,
                help_text="For example, call 101 and ask for the duty inspector.",
                max_length=300,
            ),
        ),
    ]
