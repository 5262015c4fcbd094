"""Customer analytics in Python: raw exports cleaned, synthetic exports generated, analyses run on the warehouse."""
