"""What compute handlers are built from: reading task inputs, reaching recordings and sortings, returning results.

The handlers themselves (one module per task group) are in ``runner.handlers``.
"""
