"""A whole-scalar `${VAR}` reference in an environment file takes the YAML type of its
value (a port is a number, a flag a boolean); mrpplan reads the common ones without PyYAML
(start-up), and must read every value exactly as PyYAML does."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mrpplan.config.loader import _typed

CHARS = "0123456789_+-xXbBoO:.eE yYnNtTrRuUfFaAlLsS!&#'\"[]{}~\t\n\r,%@|>?*\u00a0\u2028"


def as_pyyaml(value: str) -> object:
    """What the reference meant before: PyYAML's integer or boolean, else the text."""
    if value.strip() == "":
        return None
    try:
        typed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    return typed if isinstance(typed, (int, bool)) and not isinstance(typed, float) else value


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=CHARS, min_size=1, max_size=8))
def test_a_reference_is_typed_as_pyyaml_types_it(value: str) -> None:
    typed = _typed(value)
    expected = as_pyyaml(value)
    assert (typed, type(typed)) == (expected, type(expected))


def test_common_values_keep_their_types() -> None:
    assert _typed("3306") == 3306
    assert _typed("7") == 7 and _typed("1_000") == 1000 and _typed("010") == 8  # YAML 1.1
    assert _typed("true") is True and _typed("OFF") is False
    assert _typed("mrp_erp_local") == "mrp_erp_local" and _typed("127.0.0.1") == "127.0.0.1"
    assert _typed("") is None
