"""Template evaluation: assertions on answers, test runs (repeats, resume, version regressions), the judge.

Nothing here runs code from a template file: every assertion is data checked by this package.
"""
