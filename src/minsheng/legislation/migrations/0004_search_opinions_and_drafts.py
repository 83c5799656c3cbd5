# Opinions and drafts become searchable (issue 16): one core SearchEntry per opinion (its text) and
# per consultation task (title, issuing body and the text of its newest version), written for the
# rows that exist; services keep them up to date from here on.

from django.db import migrations

BATCH = 2000


def index_existing(apps, schema_editor):
    from minsheng.core.search import search_text, search_tokens

    ContentType = apps.get_model("contenttypes", "ContentType")
    SearchEntry = apps.get_model("core", "SearchEntry")
    Opinion = apps.get_model("legislation", "Opinion")
    ConsultationTask = apps.get_model("legislation", "ConsultationTask")
    DraftVersion = apps.get_model("legislation", "DraftVersion")

    def entries(model_name, rows):
        kind, _ = ContentType.objects.get_or_create(app_label="legislation", model=model_name)
        SearchEntry.objects.filter(content_type=kind, object_id__in=[pk for pk, _ in rows]).delete()
        made = []
        for pk, texts in rows:
            text = search_text(*texts)
            made.append(
                SearchEntry(content_type=kind, object_id=pk, text=text, tokens=" ".join(search_tokens(text)))
            )
        SearchEntry.objects.bulk_create(made, batch_size=BATCH)

    opinions = list(Opinion.objects.order_by("pk").values_list("pk", "text"))
    for start in range(0, len(opinions), BATCH):
        entries("opinion", [(pk, (text,)) for pk, text in opinions[start : start + BATCH]])
    newest = {}
    for task_id, text in DraftVersion.objects.order_by("task_id", "number").values_list("task_id", "text"):
        newest[task_id] = text
    tasks = ConsultationTask.objects.order_by("pk").values_list("pk", "title", "issuing_body")
    entries("consultationtask", [(pk, (title, body, newest.get(pk, ""))) for pk, title, body in tasks])


class Migration(migrations.Migration):
    dependencies = [
        ("legislation", "0003_opinion_receipt_code"),
        ("core", "0013_similarity_index"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]
