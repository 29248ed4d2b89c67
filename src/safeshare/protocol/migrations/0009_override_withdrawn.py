from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("protocol", "0008_referral_hold_ended"),
    ]

    operations = [
        migrations.AlterField(
            model_name="override",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting for approval"),
                    ("approved", "Approved"),
                    ("refused", "Refused"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
    ]
