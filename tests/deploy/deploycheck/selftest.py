"""Placeholder until the self-test lands."""
def run_self_test(layout, facts, report):
    report.skip("self-test not written yet")
