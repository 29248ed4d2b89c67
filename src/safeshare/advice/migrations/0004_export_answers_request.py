import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('advice', '0003_merge_advocates_exemptions'),
        ('notifications', '0003_subject_access_requests'),
    ]

    operations = [
        migrations.AddField(
            model_name='subjectaccessexport',
            name='answers',
            field=models.OneToOneField(blank=True, help_text="The advocate's request, made on the person's behalf, that this export answers. Empty for an export made for another reason.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='answer', to='notifications.subjectaccessrequest'),
        ),
    ]
