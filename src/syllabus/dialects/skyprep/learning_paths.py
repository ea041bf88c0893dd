"""The learning path actions of SkyPrep's admin API."""
