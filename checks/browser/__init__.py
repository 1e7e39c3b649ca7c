"""Browser suite: real Chromium (Selenium 4) against a real `solar serve`.

This folder is a package so that its conftest is imported as `browser.conftest` and never
shadows `checks/conftest.py`, which the other check modules import as `conftest`.
"""
