"""The SkyPrep-compatible admin API at ``/admin/api/<action>``."""
