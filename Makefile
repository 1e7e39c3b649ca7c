# SolarDispatch: `make run` serves the platform on http://127.0.0.1:8080 (embedded SQLite);
# `make test` installs what the tests need, starts a throw-away MariaDB and runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := run

SWIFT ?= swift
SYSTEM_PACKAGES := pkg-config libargon2-dev libsqlite3-dev sqlite3 libmariadb-dev
# python3-venv: the checks run in the project's own virtual environment (.venv), since Debian's
# python3 refuses `pip install` into the system (externally-managed-environment).
# chromium, chromium-driver: the browser suite (checks/browser); zbar-tools: zbarimg decodes the
# MFA QR code there.
TEST_PACKAGES := python3 python3-venv python3-pip mariadb-server mariadb-client openssl \
	chromium chromium-driver zbar-tools
# Debian's python3 when it is there (not a pyenv or other python earlier on PATH).
VENV_PYTHON := $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
VENV := .venv

.PHONY: run test deps test-deps venv build migrate serve sbom bench clean

deps:
	@scripts/apt-install.sh $(SYSTEM_PACKAGES)

test-deps: deps
	@scripts/apt-install.sh $(TEST_PACKAGES)
	@$(MAKE) --no-print-directory venv

venv: $(VENV)/.requirements.stamp

# Rebuilt from scratch whenever checks/requirements.txt changes (the stamp is older then).
$(VENV)/.requirements.stamp: checks/requirements.txt
	rm -rf $(VENV)
	$(VENV_PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r checks/requirements.txt
	touch $@

build: deps
	$(SWIFT) build --product solar

migrate: build
	.build/debug/solar migrate

run: migrate
	PORT=$${PORT:-8080} exec .build/debug/solar serve

test: test-deps
	@scripts/test.sh

# A CycloneDX SBOM of the server: the resolved Swift packages and the Debian packages of the
# shared libraries it links, validated against the schema (docs/supply-chain.md).
sbom: build test-deps
	$(VENV)/bin/python scripts/sbom.py .build/debug/solar .build/sbom/solar.cdx.json

# Performance budgets (docs/performance.md): the release server with every control on, seeded
# through the store and driven by wrk, on SQLite and on a throw-away MariaDB; writes
# bench/results.json. Run it after `make test` (which installs MariaDB and the venv).
bench: test-deps
	@scripts/apt-install.sh wrk
	swift build -c release --product solar --static-swift-stdlib --scratch-path .build-release
	$(VENV)/bin/python scripts/bench.py

clean:
	rm -rf .build .build-release $(VENV)
