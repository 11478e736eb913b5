"""The demo command's shared parts (``civic.demo``): a login table that lines up in a
terminal when its labels are Chinese, whose characters take two columns."""

from civic.demo import display_width, pad, table


def test_chinese_characters_take_two_columns():
    assert display_width("admin") == 5
    assert display_width("县级管理员") == 10
    assert display_width("ＡＢ") == 4  # full-width letters too
    assert pad("镇长", 6) == "镇长  " and display_width(pad("镇长", 6)) == 6


def test_the_login_table_lines_up_by_display_width():
    rows = [
        ("管理员", "admin", "civic-demo-2026"),
        ("县级工作人员", "county_staff", "civic-demo-2026"),
        ("志愿者（手机号）", "13973010000", "civic-demo-2026"),
        ("village head", "village_head", "civic-demo-2026"),
    ]
    lines = table(rows)
    starts = {display_width(line[: line.index("civic-demo-2026")]) for line in lines}
    assert len(starts) == 1
    usernames = {display_width(line[: line.index(row[1])]) for line, row in zip(lines, rows, strict=True)}
    assert len(usernames) == 1
    assert table([]) == []
