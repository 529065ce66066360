from pathlib import Path

import pytest

from policybrief.config import load_config
from policybrief.errors import BriefError, BriefErrors, ConfigError

GOOD = """\
title: T
slug: t
languages: [en, es]
authors:
  - name: A
    role: R
translations:
  es:
    title: T es
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "brief.yml").write_text(text, encoding="utf-8")
    return tmp_path


def test_valid_config_loads_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.languages == ["en", "es"]
    assert config.authors[0].role == "R"
    assert config.translations["es"].title == "T es"
    assert config.paper == "a4" and config.sources == {}


def test_unknown_key_is_located_with_suggestion(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, GOOD + "titel: oops\n"))
    assert info.value.location is not None
    assert info.value.location.line == 10
    assert "unknown key 'titel'" in info.value.message
    assert "did you mean 'title'" in info.value.message


def test_wrong_type_points_at_value(tmp_path: Path) -> None:
    text = GOOD.replace("languages: [en, es]", "languages: en")
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert info.value.location is not None and info.value.location.line == 3
    assert "expected a list" in info.value.message


def test_nested_unknown_key(tmp_path: Path) -> None:
    text = GOOD.replace("    role: R", "    rol: R")
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert info.value.location is not None and info.value.location.line == 6


def test_all_errors_reported_together(tmp_path: Path) -> None:
    text = GOOD + "paper: a5\nnumbering: greek\n"
    with pytest.raises(BriefErrors) as info:
        load_config(write(tmp_path, text))
    reported = [(e.location.line if e.location else None, e.message) for e in info.value.errors]
    assert reported == [(10, "expected one of 'a4', 'letter', got 'a5'"),
                        (11, "expected one of 'roman', 'arabic', 'none', got 'greek'")]


def test_invalid_yaml_is_located(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "title: [unclosed\nslug: x\n"))
    assert info.value.location is not None and info.value.location.line == 2
    assert "invalid YAML" in info.value.message


def test_missing_required_and_bad_values(tmp_path: Path) -> None:
    with pytest.raises(BriefError) as info:
        load_config(write(tmp_path, "title: T\nslug: Not A Slug\nlanguages: [english]\n"))
    text = info.value.format()
    assert "slug must be lower-case" in text
    assert "'english' is not a BCP 47 language code" in text


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no brief\.yml"):
        load_config(tmp_path)
