"""The parameter registry (marketsim/scenario/parameters.py) is the one source of every default: it
agrees with the schema, its defaults lie in their plausible ranges, and the docs' tables are its own."""

import ast
import copy
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel, TypeAdapter

from marketsim.scenario import schema
from marketsim.scenario.loading import load_scenario, scenario_from_dict
from marketsim.scenario.parameters import (PARAMETERS, REGISTRY, SECTIONS, TIMED_DEFAULTS, outside_plausible_ranges,
                                           rewrite)
from marketsim.studies.experiment import design_points, load_experiment

ROOT = Path(__file__).parent.parent
DOCS = [ROOT / "docs" / "parameters.md", ROOT / "docs" / "scenarios.md"]


def sections_of(annotation) -> list[type[BaseModel]]:
    """The scenario sections (models) an annotation holds, inside lists, unions and Optional."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        # an audience rule is data and a lever a range to search (marketsim optimize): neither is a model parameter
        return [] if annotation in (schema.Rule, schema.LeverSpec) else [annotation]
    return [model for arg in typing.get_args(annotation) for model in sections_of(arg)]


def schema_fields(model: type[BaseModel] = schema.Scenario, prefix: str = "") -> dict[str, list]:
    """Every field of the scenario, named as the registry names it, with its pydantic FieldInfo
    (one per network type that has it)."""
    fields: dict[str, list] = {}
    for name, info in model.model_fields.items():
        fields.setdefault(prefix + name, []).append(info)
        item = "[]" if typing.get_origin(info.annotation) is list else ""
        for sub in sections_of(info.annotation):
            for sub_name, infos in schema_fields(sub, f"{prefix}{name}{item}.").items():
                fields.setdefault(sub_name, []).extend(infos)
    return fields


def base_types(annotation) -> set:
    """The types an annotation allows, through Annotated, Optional and unions."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return base_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(base_types(arg) for arg in typing.get_args(annotation)))
    return {annotation}


def is_number(info) -> bool:
    allowed = base_types(info.annotation) - {type(None)}
    return bool(allowed) and allowed <= {int, float}


FIELDS = schema_fields()
NUMERIC = {name for name, infos in FIELDS.items() if any(is_number(info) for info in infos)}


def test_names_are_unique_and_name_schema_fields():
    assert len(REGISTRY) == len(PARAMETERS)
    unknown = [p.name for p in PARAMETERS if p.name not in FIELDS]
    assert not unknown, f"registry rows that are no field of the schema: {unknown}"


def test_every_numeric_field_has_a_row():
    missing = sorted(NUMERIC - set(REGISTRY))
    assert not missing, f"numeric scenario fields without a row in parameter_table.py: {missing}"


@pytest.mark.parametrize("name", sorted(NUMERIC))
def test_the_schema_default_is_the_registry_default(name):
    for info in FIELDS[name]:
        assert (None if info.is_required() else info.default) == REGISTRY[name].default


@pytest.mark.parametrize("name", sorted(NUMERIC))
def test_the_registry_default_is_valid_for_its_field(name):
    """pydantic does not check defaults: 18.0 for an age, or a share above 1, would pass unseen."""
    info = FIELDS[name][0]
    if REGISTRY[name].default is not None:
        field = typing.Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        TypeAdapter(field).validate_python(REGISTRY[name].default, strict=True)


@pytest.mark.parametrize("p", [p for p in PARAMETERS if p.name in FIELDS and p.name not in NUMERIC],
                         ids=lambda p: p.name)
def test_a_text_default_is_shown_as_the_schema_has_it(p):
    """A name, an empty table or list: the docs show the schema's own default."""
    value = FIELDS[p.name][0].default
    if isinstance(value, str) or value in ({}, []):
        assert p.default is None and p.default_text.startswith(f"`{value}`")


def test_no_default_number_is_written_in_the_schema():
    """schema.py takes each default from the registry, so a number cannot be changed in one place only."""
    tree = ast.parse((ROOT / "marketsim" / "scenario" / "schema.py").read_text())
    written = [f"{cls.name}.{node.target.id}" for cls in tree.body if isinstance(cls, ast.ClassDef)
               for node in cls.body if isinstance(node, ast.AnnAssign) and node.value is not None
               and (isinstance(node.value, ast.Constant) and type(node.value.value) in (int, float)
                    or ast.unparse(node.value) == "math.inf")]
    assert not written, f"defaults written in schema.py instead of taken from the registry: {written}"


@pytest.mark.parametrize("p", [p for p in PARAMETERS if p.low is not None or p.high is not None],
                         ids=lambda p: p.name)
def test_the_default_lies_in_the_plausible_range(p):
    assert p.low is not None and p.high is not None and p.low <= p.high
    assert p.default is None or p.low <= p.default <= p.high


def test_the_loyalty_note_states_the_defaults_it_follows_from():
    growth, decay = REGISTRY["loyalty.growth"].default, REGISTRY["loyalty.decay"].default
    note = REGISTRY["loyalty.growth"].source
    assert f"({growth / (growth + decay):.2g} by default at fit 1)" in note
    assert f"({1 / (growth + decay):.2g} units by default)" in note


def test_a_range_marked_j_is_a_judgement():
    assert REGISTRY["response.ad_effect"].judgement  # "(J)" in the range
    assert REGISTRY["loyalty.initial"].judgement  # "J" as the source
    assert not REGISTRY["network.rewire"].judgement  # a source, [WS98]
    assert not REGISTRY["channels[].users"].judgement  # "[Pew]"; [JSD20] and the like are no J either


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_the_docs_tables_are_generated_from_the_registry(doc):
    """Run ``python -m marketsim.scenario.parameters docs/parameters.md docs/scenarios.md`` to update them."""
    text = doc.read_text(encoding="utf-8")
    assert rewrite(text) == text


def test_docs_parameters_lists_every_section():
    text = DOCS[0].read_text(encoding="utf-8")
    assert [s for s in SECTIONS if f"<!-- parameters: {s} -->" not in text] == []


def test_rewrite_replaces_a_stale_table_and_keeps_the_rest():
    stale = "prose\n<!-- defaults: niche -->\n| field | default | meaning |\n| `old` | 9 | |\n<!-- end -->\nmore\n"
    fresh = rewrite(stale)
    assert fresh.startswith("prose\n<!-- defaults: niche -->\n\n| field | default | meaning |\n|---|---|---|\n")
    assert "| `control_threshold` | 0.5 |" in fresh and "`old`" not in fresh
    assert fresh.endswith("\n\n<!-- end -->\nmore\n") and rewrite(fresh) == fresh
    with pytest.raises(ValueError, match="nonsense"):
        rewrite("<!-- parameters: nonsense -->\n<!-- end -->\n")


MINIMAL = {
    "name": "minimal",
    "population": {"size": 100, "segments": [{"name": "everyone", "share": 1.0}]},
    "channels": [{"name": "tv", "cpm": 10.0}],
    "brands": [{"name": "b", "price": 1.0, "margin": 0.5, "purchase_rate": 0.01, "initial": {}}],
    "campaigns": [{"name": "c", "brand": "b", "channel": "tv", "impressions": 10.0, "research": {"duration": 5.0}}],
}


def value_at(node, name: str):
    """The value of a registry field in a loaded scenario (the first item of a list)."""
    for part in name.split("."):
        node = getattr(node, part.removesuffix("[]"))
        if part.endswith("[]"):
            node = node[0]
    return node


@pytest.mark.parametrize("network", ["random", "ring", "small_world", "scale_free", "homophilous"])
def test_a_scenario_that_leaves_out_every_optional_field_has_the_registry_defaults(network):
    raw = copy.deepcopy(MINIMAL) | {"network": {"type": network}}
    scenario = scenario_from_dict(raw)
    on_this_network = {f"network.{name}" for name in type(scenario.network).model_fields}
    for p in PARAMETERS:
        if p.name in NUMERIC and p.default is not None and (p.name in on_this_network
                                                            or not p.name.startswith("network.")):
            assert value_at(scenario, p.name) == p.default, p.name


@pytest.mark.parametrize("unit, days", [("week", 7.0), ("month", 365.0 / 12.0), ("year", 365.0)])
def test_a_rate_or_duration_left_out_gets_its_default_in_the_files_time_unit(unit, days):
    """docs/parameters.md gives defaults per day: a file in weeks that leaves out the strength of word
    of mouth gets 7 times the daily rate a week, and a half-life a seventh as many weeks."""
    raw = copy.deepcopy(MINIMAL) | {"time": {"unit": unit, "horizon": 4.0}}
    scenario = scenario_from_dict(raw)
    assert TIMED_DEFAULTS  # rates and durations with a default
    for p in TIMED_DEFAULTS:
        expected = p.default * (1 / days if p.unit == "unit" else days)
        assert value_at(scenario, p.name) == pytest.approx(expected), p.name
    assert scenario.word_of_mouth.strength == pytest.approx(0.001 * days)
    assert scenario.response.recovery_half_life == pytest.approx(30 / days)
    assert scenario.time.horizon == 4.0  # the time section is in the file's unit by definition


def test_a_rate_the_file_gives_is_kept_in_any_unit():
    raw = copy.deepcopy(MINIMAL) | {"time": {"unit": "week"}, "word_of_mouth": {"strength": 0.05},
                                    "response": {"recovery_half_life": 3.0}}
    scenario = scenario_from_dict(raw)
    assert scenario.word_of_mouth.strength == 0.05 and scenario.response.recovery_half_life == 3.0
    assert scenario.loyalty.churn == pytest.approx(0.07)  # a section left out gets its defaults, per week


def ready_files():
    scenarios = sorted((ROOT / "scenarios").glob("*.toml"))
    experiments = sorted((ROOT / "experiments").glob("*.toml"))
    return [pytest.param(f, id=f"{f.parent.name}/{f.stem}") for f in scenarios + experiments]


# a scenario that is Bass's model, to calibrate on his data (thirteen years of sales): consumers all alike,
# adopters never lost, nobody talking a product down, ads without wear-out or relevance; his assumptions,
# not a judgement about today's markets. Only these fields may leave their plausible ranges there.
BASS_MODEL = {"air_conditioners": ("time.horizon", "population.talkativeness_spread", "response.relevance_gain",
                                   "response.wearout", "response.fit_spread", "loyalty.churn",
                                   "word_of_mouth.negative_weight")}


@pytest.mark.parametrize("path", ready_files())
def test_every_number_of_a_ready_scenario_or_experiment_is_plausible(path):
    """Each ready scenario, and each point of each ready experiment, keeps every parameter inside its
    plausible range (in the file's time unit). population.size is left out: it is the sample's
    size, chosen for speed, not a property of the market."""
    if path.parent.name == "scenarios":
        scenarios = [load_scenario(path)]
    else:
        experiment = load_experiment(path)
        scenarios = [experiment.scenario(experiment.overrides(point)) for point in design_points(experiment.spec)]
    for scenario in scenarios:
        outside = [f for f in outside_plausible_ranges(scenario)
                   if f[0] != "population.size" and f[0] not in BASS_MODEL.get(path.stem, ())]
        assert outside == [], (path.name, outside)
