"""The benchmark harness: ``python -m bench`` prints each scenario against its raw baseline."""
