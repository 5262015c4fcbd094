"""Tests of analytics/: ingest and cleaning, synthetic exports, the analyses, and the run on the warehouse."""
