"""``sv-runner``: one HTTP service for figures (host page, viewer bundle, store files) and their compute.

Run it with ``sv-runner start``; build the web app in Python with :func:`runner.app.create_app`.
"""
