"""The user group actions of SkyPrep's admin API."""
