"""The base layer: code every app may import and that imports none of them (tests/test_layering.py)."""
