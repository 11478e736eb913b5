"""Usernames carry no personal data: volunteers' logins that were named by their ID number or
phone get an opaque handle (they still log in with their phone or ID number), and the audit
trail forgets the old names and the phones it recorded in clear."""

from django.conf import settings
from django.db import migrations

from volunteers.privacy import PHONE_FIELDS, looks_personal, mask_id, mask_name, mask_phone, new_login_handle

BATCH = 2000


def _personal(username: str, id_number: str | None, phone: str) -> bool:
    return looks_personal(username) or bool(id_number and id_number in username) or bool(phone and phone in username)


def _renamed(value: str, named: dict[str, str]) -> str:
    if value in named:
        return named[value]
    return mask_id(value) if looks_personal(value) else value


def rename_logins(apps, schema_editor):
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model_name)
    Volunteer = apps.get_model("volunteers", "Volunteer")
    AuditEntry = apps.get_model("civic", "AuditEntry")
    named: dict[str, str] = {}  # old username → the name the trail now shows (masked)
    batch = []
    rows = Volunteer.objects.filter(user__isnull=False).values_list(
        "user_id", "user__username", "id_number", "phone", "real_name"
    )
    for user_id, username, id_number, phone, real_name in rows.iterator(chunk_size=BATCH):
        if not _personal(username, id_number, phone or ""):
            continue
        handle = new_login_handle()
        named[username] = mask_name(real_name)
        batch.append(User(pk=user_id, username=handle))
        if len(batch) >= BATCH:
            User.objects.bulk_update(batch, ["username"])
            batch = []
    if batch:
        User.objects.bulk_update(batch, ["username"])

    changed = []
    for entry in AuditEntry.objects.filter(action__in=["role.grant", "role.revoke", "volunteer.update"]).iterator(
        chunk_size=BATCH
    ):
        new = {}
        for key, pair in (entry.changes or {}).items():
            if not isinstance(pair, list):
                new[key] = pair
            elif key in PHONE_FIELDS:
                new[key] = [mask_phone(v) if isinstance(v, str) else v for v in pair]
            else:
                new[key] = [_renamed(v, named) if isinstance(v, str) else v for v in pair]
        if new != entry.changes:
            entry.changes = new
            changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["changes"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0006_status_labels"),
        ("civic", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(rename_logins, migrations.RunPython.noop)]
