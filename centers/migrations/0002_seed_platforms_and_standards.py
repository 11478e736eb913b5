"""Seed the common service platforms and the 五有/六有/八有 checklists (DOMAIN.md)."""

from django.db import migrations

PLATFORMS = [
    ("理论宣讲", "Theory outreach"),
    ("教育服务", "Education"),
    ("文化服务", "Culture"),
    ("科技与科普", "Science and technology"),
    ("健身体育", "Fitness and sports"),
    ("法律服务", "Legal services"),
    ("卫生健康", "Health"),
    ("生态环保", "Environment"),
]

ITEMS_EN = {
    "场所": "Venue",
    "标识": "Sign",
    "制度": "Rules",
    "活动": "Activities",
    "保障": "Funding",
    "机构": "Organisation",
    "队伍": "Teams",
    "项目": "Projects",
    "机制": "Mechanisms",
    "主题": "Themes",
    "档案": "Records",
}
SETS = [
    ("五有", "场所、标识、制度、活动、保障", ["场所", "标识", "制度", "活动", "保障"]),
    ("六有", "机构、队伍、场所、标识、制度、活动", ["机构", "队伍", "场所", "标识", "制度", "活动"]),
    (
        "八有",
        "场所、队伍、活动、项目、机制、机构、主题、档案",
        ["场所", "队伍", "活动", "项目", "机制", "机构", "主题", "档案"],
    ),
]


def seed(apps, schema_editor):
    ServicePlatform = apps.get_model("centers", "ServicePlatform")
    StandardSet = apps.get_model("centers", "StandardSet")
    StandardItem = apps.get_model("centers", "StandardItem")
    for order, (name, name_en) in enumerate(PLATFORMS, start=1):
        ServicePlatform.objects.get_or_create(owner=None, name=name, defaults={"name_en": name_en, "sort_order": order})
    for set_name, description, items in SETS:
        standard_set, _ = StandardSet.objects.get_or_create(name=set_name, defaults={"description": description})
        for order, item in enumerate(items, start=1):
            StandardItem.objects.get_or_create(
                standard_set=standard_set, name=item, defaults={"name_en": ITEMS_EN[item], "sort_order": order}
            )


class Migration(migrations.Migration):
    dependencies = [("centers", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
