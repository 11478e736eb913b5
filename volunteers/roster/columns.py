"""The roster's file format: its columns, sheets and words (Chinese: they are the format the
counties fill in, not interface text)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from civic.sheets import Headers, header_text

from ..models import PoliticalStatus

ROSTER_SHEET = "志愿者名册"
VALUES_SHEET = "可选值"
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header of the template
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS = (
    Column("real_name", "姓名", ("真实姓名", "name", "real name"), required=True),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "id number", "id no", "id"), required=True),
    Column("phone", "手机号", ("手机号码", "手机", "联系电话", "phone", "mobile", "mobile phone"), required=True),
    Column("site", "所属站点(编码或名称)", ("所属站点", "站点", "site", "home site"), required=True),
    Column("political_status", "政治面貌", ("political status",)),
    Column("source_group", "人员类别", ("source group", "category")),
    Column("skills", "技能(服务平台)", ("技能", "服务平台", "skills", "platforms")),
    Column("skill_tags", "其他技能", ("other skills", "tags")),
    Column("national_number", "全国志愿者编号", ("national volunteer number", "national number")),
    Column("emergency_name", "紧急联系人", ("emergency contact",)),
    Column("emergency_phone", "紧急联系电话", ("emergency phone",)),
    Column("guardian_name", "监护人", ("guardian",)),
    Column("guardian_phone", "监护人电话", ("guardian phone",)),
)
EXPORT_EXTRA = ("状态", "登记日期")
HEADERS = {c.key: c.header for c in COLUMNS}
LABELS = {c.key: re.sub(r"\(.*?\)", "", c.header) for c in COLUMNS}  # 所属站点(编码或名称) → 所属站点
ROSTER_HEADERS = Headers(
    names={c.key: (c.header, *c.aliases) for c in COLUMNS},
    required=[c.key for c in COLUMNS if c.required],
)

# Political status as rosters write it (the format's words), by code.
POLITICAL_NAMES = {
    PoliticalStatus.PARTY_MEMBER: ("中共党员", "党员"),
    PoliticalStatus.PROBATIONARY: ("中共预备党员", "预备党员"),
    PoliticalStatus.LEAGUE_MEMBER: ("共青团员", "团员"),
    PoliticalStatus.DEMOCRATIC_PARTY: ("民主党派成员", "民主党派"),
    PoliticalStatus.MASSES: ("群众",),
}
SPLIT = re.compile(r"[,，、;；/\s]+")  # between the skills (and other skills) of one cell

norm = header_text  # how cell words are compared with the format's words
