"""Small shared helpers for the remote tests."""

import gbc


def flag(value, key="color"):
    """A feature map with one feature whose default value is value."""
    return {key: {"defaultValue": value}}


def payload(value, key="color"):
    return {"features": flag(value, key)}


BEFORE = "before"  # the value a handle holds before a failing load


def handle_with_previous(handles, options):
    """A handle whose features were set locally to color=BEFORE."""
    h = handles(options)
    gbc.set_features(h, flag(BEFORE))
    assert gbc.value(h, "color") == BEFORE
    return h
