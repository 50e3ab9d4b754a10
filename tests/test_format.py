"""ui.format's num / pct parse babel's pattern once and write integers directly: the same text as babel's
format_decimal / format_percent(vi_VN) for every value (property test, derandomised)."""

import numpy as np
from babel.numbers import format_decimal, format_percent
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.ui.format import DASH, num, pct

_values = st.one_of(
    st.integers(-10**15, 10**15),
    st.integers(-2**31, 2**31 - 1).map(np.int64),
    st.integers(-2**15, 2**15 - 1).map(np.int32),
    st.floats(-1e9, 1e9, allow_nan=False),
    st.sampled_from([0.5, 1.5, 2.5, -2.5, 0.125, 0.9856, 0.995, 1e7 + 0.5]),
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(v=_values, digits=st.integers(0, 3))
def test_num_and_pct_are_babels_text(v, digits):
    frac = "." + "0" * digits if digits else ""
    assert num(v, digits) == format_decimal(v, "#,##0" + frac, locale="vi_VN")
    assert pct(v, digits) == format_percent(v, "#,##0" + frac + "%", locale="vi_VN")


def test_examples_and_missing():
    assert (num(1245), num(-1245), num(np.int64(10_000_000)), num(12.5, 1)) == ("1.245", "-1.245", "10.000.000", "12,5")
    assert pct(0.9856) == "98,56%"
    assert num(None) == pct(float("nan")) == DASH
