# SolarDispatch: `make run` serves the platform on http://127.0.0.1:8080 (embedded SQLite);
# `make test` installs what the tests need, starts a throw-away MariaDB and runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := run

SWIFT ?= swift
SYSTEM_PACKAGES := pkg-config libargon2-dev libsqlite3-dev sqlite3 libmariadb-dev
TEST_PACKAGES := python3 python3-pip mariadb-server mariadb-client openssl

.PHONY: run test deps test-deps build migrate serve clean

deps:
	@scripts/apt-install.sh $(SYSTEM_PACKAGES)

test-deps: deps
	@scripts/apt-install.sh $(TEST_PACKAGES)
	@python3 -m pip install --quiet --disable-pip-version-check -r checks/requirements.txt

build: deps
	$(SWIFT) build --product solar

migrate: build
	.build/debug/solar migrate

run: migrate
	PORT=$${PORT:-8080} exec .build/debug/solar serve

test: test-deps
	@scripts/test.sh

clean:
	rm -rf .build
