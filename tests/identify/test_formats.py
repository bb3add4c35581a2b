"""The plain CSV formats and the Familias format: round trips and clear refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hague.errors import ValidationError
from hague.identify.familias import familias_family, parse_familias, write_familias
from hague.identify.frequencies import FrequencyTable, frequencies_csv, parse_frequencies_csv
from hague.identify.mutation import MutationModel
from hague.identify.pedigree import Pedigree, Person, parse_pedigrees_csv, pedigrees_csv
from hague.identify.profiles import Profile, genotype, parse_profiles_csv, parse_remains_csv, profiles_csv

alleles = st.sampled_from(["6", "7", "8", "9", "9.3", "10", "11", "12.2", "30.2"])


@settings(max_examples=50, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["TH01", "FGA", "vWA", "D3S1358"]),
        st.tuples(alleles, st.one_of(st.none(), alleles)),
        min_size=1,
    )
)
def test_profiles_csv_round_trips(genos: dict) -> None:
    profile = Profile("S-1")
    for marker, (a, b) in genos.items():
        g = genotype(a, b)
        assert g is not None
        profile.genotypes[marker] = g
    back = parse_profiles_csv(profiles_csv([profile]))
    assert back["S-1"].genotypes == profile.genotypes


def test_dropout_is_a_missing_allele() -> None:
    text = "sample_id,marker,allele1,allele2\nR1,TH01,9.3,\nR1,FGA,22,F\nR1,vWA,,\n"
    profile = parse_profiles_csv(text)["R1"]
    assert profile.genotypes == {"TH01": ("9.3", None), "FGA": ("22", None)}


def test_frequencies_csv_round_trips_and_floors_rare_alleles() -> None:
    text = "marker,allele,frequency\nTH01,6,0.2\nTH01,9.3,0.7995\nTH01,10,0.0005\n"
    table = parse_frequencies_csv(text, "pop", min_frequency=0.001)
    assert table.markers["TH01"]["10"] > 0.0005
    assert sum(table.markers["TH01"].values()) == pytest.approx(1.0)
    back = parse_frequencies_csv(frequencies_csv(table), "pop", min_frequency=0.001)
    for a, f in table.markers["TH01"].items():
        assert back.markers["TH01"][a] == pytest.approx(f, rel=1e-12)


def test_unseen_alleles_enter_at_the_minimum_frequency() -> None:
    table = FrequencyTable("pop", {"TH01": {"6": 0.5, "7": 0.5}}, min_frequency=0.01)
    extended = table.with_alleles({"TH01": {"13"}})
    assert extended.markers["TH01"] == pytest.approx({"6": 0.495, "7": 0.495, "13": 0.01})
    assert extended.with_alleles({}).markers == extended.markers


def test_frequencies_not_summing_to_one_are_refused() -> None:
    with pytest.raises(ValidationError, match="sum to"):
        parse_frequencies_csv("marker,allele,frequency\nTH01,6,0.2\nTH01,7,0.2\n", "pop")


def test_pedigree_csv_round_trips() -> None:
    ped = Pedigree("F1", [Person("FA", sex="male", sample="R-1"), Person("MO", sex="female"),
                          Person("MP", "FA", "MO", "male", missing=True)])  # fmt: skip
    back = parse_pedigrees_csv(pedigrees_csv([ped]))["F1"]
    assert back.persons == ped.persons


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("F1,C,FA,,male,,0", "both parents"),
        ("F1,C,XX,MO,male,,0", "not listed"),
        ("F1,A,B,MO,male,,0\nF1,B,A,MO,male,,0", "own ancestor"),
        ("F1,C,MO,FA,male,,0", "not male"),
    ],
)
def test_broken_pedigrees_are_refused(rows: str, message: str) -> None:
    head = "family_id,person_id,father,mother,sex,typed_sample_id,missing\nF1,FA,,,male,,0\nF1,MO,,,female,,0\n"
    with pytest.raises(ValidationError, match=message):
        parse_pedigrees_csv(head + rows + "\n")


def test_remains_csv_reads_sex_and_age_range() -> None:
    info = parse_remains_csv("sample_id,sex,age_min,age_max\nPM1,M,20,35\nPM2,female,,\n")
    assert (info["PM1"].sex, info["PM1"].age_min, info["PM1"].age_max) == ("male", 20, 35)
    assert info["PM2"].sex == "female"


def test_names_with_spaces_are_refused_as_sample_ids() -> None:
    with pytest.raises(ValidationError):
        parse_profiles_csv("sample_id,marker,allele1,allele2\nIvan Petrenko,TH01,6,7\n")


FAM = """"Output from Familias, version 3.3.1"
"Hand-written test file"
3.3.1
""
3
"AF"
#FALSE#
-1
#FALSE#
#TRUE#
2
0
1
0
1
1
1
"MO"
#FALSE#
-1
#FALSE#
#FALSE#
0
"CH"
#FALSE#
-1
#FALSE#
#TRUE#
1
1
2
0
"Known relations"
0
0
2
1
2
0
2
1
0
"H1"
0
0
0
#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: 0.01 )
2
#TRUE#
"test db"
"TH01"
0.001
0.002
1
1
3
0.1
0.1
1e-006
1e-006
#FALSE#
0
3\t(DatabaseSize = 1000 , Dropout probability = 0 , Minor allele frequency = 0 )
"6"
0.2
"7"
0.3
"9.3"
0.5
"FGA"
0
0
0
0
2
0
0
0
0
#FALSE#
0
2\t(DatabaseSize = 1000 , Dropout probability = 0 , Minor allele frequency = 0 )
"21"
0.4
"22"
0.6
[Advanced]
"""


def test_familias_file_is_read() -> None:
    fam = parse_familias(FAM)
    assert fam.persons == {"AF": "male", "MO": "female", "CH": "male"}
    assert fam.genotypes["AF"] == {"TH01": ("6", "7"), "FGA": ("22", "22")}
    assert fam.genotypes["CH"] == {"TH01": ("7", "9.3")}
    assert fam.known == [("MO", "CH"), ("AF", "CH")]
    assert fam.pedigrees == {"H1": []}
    assert fam.table.name == "test db" and fam.theta == 0.01
    assert fam.table.markers["TH01"] == {"6": 0.2, "7": 0.3, "9.3": 0.5}
    assert fam.mutation == {"TH01": MutationModel("proportional", 0.0015, 0.1, 1e-6)}


def test_familias_pedigree_becomes_a_reference_family() -> None:
    ped, refs = familias_family(parse_familias(FAM), "FAM7", missing=["CH"])
    assert ped.person("CH").father == "AF" and ped.person("CH").mother == "MO"
    assert ped.missing == ["CH"]
    assert set(refs) == {"FAM7-AF"}


def test_familias_write_then_read_round_trips() -> None:
    table = FrequencyTable("db", {"TH01": {"6": 0.25, "7": 0.25, "9.3": 0.5}, "FGA": {"21": 0.4, "22": 0.6}})
    ped = Pedigree("F", [Person("AF", sex="male", sample="F-AF"), Person("MO", sex="female"),
                         Person("MP", "AF", "MO", "female", missing=True)])  # fmt: skip
    refs = {"F-AF": Profile("F-AF", {"TH01": ("6", "9.3"), "FGA": ("21", "22")})}
    mutation = {"TH01": MutationModel("stepwise", 0.002, 0.5, 1e-6)}
    fam = parse_familias(write_familias(ped, refs, table, mutation))
    back, back_refs = familias_family(fam, "F", missing=["MP"])
    assert [(p.id, p.father, p.mother, p.sex, p.missing) for p in back.persons] == [
        (p.id, p.father, p.mother, p.sex, p.missing) for p in ped.persons
    ]
    assert back_refs == refs
    assert fam.table.markers == table.markers
    assert fam.mutation == mutation


def test_truncated_familias_file_is_refused() -> None:
    with pytest.raises(ValidationError, match="ends early"):
        parse_familias("\n".join(FAM.splitlines()[:20]))


def test_per_marker_mutation_models_are_read_from_csv() -> None:
    from hague.identify.mutation import parse_mutation_csv

    models = parse_mutation_csv("marker,model,rate,range\nD21S11,stepwise,0.0019,0.1\nTH01,equal,0.0001,\n")
    assert models == {
        "D21S11": MutationModel("stepwise", 0.0019, 0.1),
        "TH01": MutationModel("equal", 0.0001),
    }
    with pytest.raises(ValidationError, match="mutation model must be one of"):
        parse_mutation_csv("marker,model,rate\nTH01,random,0.001\n")
