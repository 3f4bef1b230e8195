"""One organisation or several, from the units people are listed with."""

from __future__ import annotations

import pytest

from charter.schema.organisations import organisation_of, organisations_of


@pytest.mark.parametrize("units, expected", [
    # sections of one bureau, one written without its bureau
    (["临川县教育局办公室", "临川县教育局财务股", "财务股", "临川县教育局基建股"], "one"),
    (["临川县第一中学教务处", "语文组", "高三年级组", "校医室"], "one"),
    (["县财政局", "县财政局社保股"], "one"),  # 社 in 社保股 does not end an organisation
    (["县人民医院", "县人民医院急诊科", "县人民医院检验科"], "one"),
    (["Westmoor District Council", "Westmoor District Council Electoral Services", "Elections team"], "one"),
    (["Brightwater Payments", "Brightwater Payments", "Risk team"], "one"),
    (["县审计局农业农村审计股", "县农业农村局计划财务股", "县财政局农业股"], "several"),
    (["青石镇人民政府", "青石镇卫生院"], "several"),
    (["县委宣传部", "县融媒体中心"], "several"),
    (["XX公司财务部", "XX公司销售部"], "several"),  # unsure: the safer rules
    (["Abbey Road Surgery", "Hollins Pharmacy", "Northgate District Nursing Team"], "several"),
    (["Brightwater Payments", "Hangzhou EduTours"], "several"),  # two names without a telling word
    (["", "", "县教育局"], "one"),
    ([], "one"),
])
def test_sections_of_one_organisation_are_one(units, expected):
    assert organisations_of(units) == expected


def test_a_section_alone_names_no_organisation():
    assert organisation_of("财务股") is None and organisation_of("Finance team") is None
    assert organisation_of("9栋1单元") is None
    assert organisation_of("  Westmoor   District Council ") == "westmoor district council"
