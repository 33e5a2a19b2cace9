"""The checks behind tests/deploy/check-deploy."""
