from django.db import migrations

DEFAULT_STAGES = [
    ("Discovery", 10, 10),
    ("Demo", 20, 25),
    ("Proposal", 30, 50),
    ("Negotiation", 40, 75),
]


def create_stages(apps, schema_editor):
    PipelineStage = apps.get_model("funnel", "PipelineStage")
    for name, position, probability in DEFAULT_STAGES:
        PipelineStage.objects.get_or_create(
            name=name, defaults={"position": position, "probability": probability}
        )


class Migration(migrations.Migration):
    dependencies = [("funnel", "0002_initial")]
    operations = [migrations.RunPython(create_stages, migrations.RunPython.noop)]
