# GoMall: `make run` starts the shop, `make test` runs every test suite. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
GOMALL_ENV ?= dev

.PHONY: help bootstrap build debug release asan frontend run run-stack run-full stack-start stack-stop migrate seed \
	test test-unit test-api test-api-mysql test-api-full test-frontend test-e2e test-asan fuzz soak bench bench-full bench-seckill bench-seckill-full bench-micro fmt fmt-check lint clean

help: ## show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  make %-15s %s\n", $$1, $$2}'

bootstrap: ## install missing Debian and npm packages (idempotent)
	@scripts/bootstrap

build/%/build.ninja:
	cmake --preset $* >/dev/null

release: bootstrap build/release/build.ninja ## build the server (Release)
	cmake --build --preset release -j $(JOBS)

debug: bootstrap build/debug/build.ninja ## build server and unit tests (Debug)
	cmake --build --preset debug -j $(JOBS)

asan: bootstrap build/asan/build.ninja ## build server and unit tests with ASan+UBSan
	cmake --build --preset asan -j $(JOBS)

build: release ## alias for release

frontend: bootstrap ## build the web UI into frontend/dist
	@scripts/build-frontend

run: release frontend ## run the shop on http://localhost:8080 (SQLite, embedded mode)
	build/release/bin/gomall serve --env $(GOMALL_ENV)

run-stack: release frontend ## run the shop against MariaDB started by scripts/stack
	scripts/stack start mariadb
	set -a && source var/stack/stack.env && set +a && build/release/bin/gomall serve --env $(GOMALL_ENV)

run-full: release frontend ## run the shop with the flash sale on MariaDB + Redis + RabbitMQ (scripts/stack)
	scripts/stack start full
	set -a && source var/stack/stack.env && set +a && \
		GOMALL_SECKILL_MODE=full build/release/bin/gomall serve --env $(GOMALL_ENV)

.PHONY: run-cluster stop-cluster
run-cluster: release frontend ## 3 shop instances behind nginx on :8080 over Redis and RabbitMQ clusters and a MariaDB replica (background)
	GOMALL_ENV=$(GOMALL_ENV) scripts/cluster start

stop-cluster: ## stop what run-cluster started (instances, nginx, services; deletes their data)
	scripts/cluster stop

.PHONY: run-services stop-services
run-services: release frontend ## services mode: the gateway on :8080, the user, catalogue and order services and 2 flash-sale gRPC services, found through etcd, on MariaDB + Redis + RabbitMQ (background)
	GOMALL_ENV=$(GOMALL_ENV) scripts/services start

stop-services: ## stop what run-services started (processes, etcd, servers; deletes their data)
	scripts/services stop

stack-start: ## start MariaDB, Redis and RabbitMQ on free loopback ports (env in var/stack/stack.env)
	scripts/stack start full

stack-stop: ## stop everything scripts/stack started
	scripts/stack stop

migrate: release ## apply database migrations
	build/release/bin/gomall migrate --env $(GOMALL_ENV)

seed: release ## seed the demo catalogue into an empty database
	build/release/bin/gomall seed --env $(GOMALL_ENV)

test: debug frontend ## run every test suite (unit, API on SQLite, MariaDB and the full stack, front end, browser)
	scripts/run-tests

test-unit: debug ## unit tests only
	ctest --preset debug -j $(JOBS)

test-api: debug frontend ## black-box API suite on SQLite
	GOMALL_BIN=build/debug/bin/gomall scripts/test-api

test-api-mysql: debug frontend ## black-box API suite on MariaDB
	GOMALL_BIN=build/debug/bin/gomall scripts/test-api --mysql

test-api-full: debug frontend ## flash-sale API tests on MariaDB + Redis + RabbitMQ (full mode)
	GOMALL_BIN=build/debug/bin/gomall scripts/test-api --full

test-frontend: frontend ## Vitest unit tests of the web UI
	cd frontend && npm test

test-e2e: debug frontend ## browser tests in headless Chromium
	GOMALL_BIN=build/debug/bin/gomall node --test --test-concurrency=1 tests/e2e/

test-asan: asan frontend ## unit tests and the API suite under ASan+UBSan
	GOMALL_BUILD=asan scripts/run-tests --sanitizers

FUZZ_SECONDS ?= 300
fuzz: bootstrap ## build the libFuzzer targets (clang) and run each for FUZZ_SECONDS (default 300)
	scripts/run-fuzz --seconds $(FUZZ_SECONDS)

soak: release ## 10-minute mixed-workload soak of the release build (SOAK_SECONDS to change)
	bench/run-soak

bench: release frontend ## HTTP benchmark (wrk) of the public reads (catalogue, detail, flash-sale page) next to /health
	bench/run-http-bench

bench-full: release frontend ## the same reads with the server on MariaDB + Redis + RabbitMQ (scripts/stack)
	bench/run-http-bench --full

bench-seckill: release frontend ## flash-sale crowd benchmark (wrk) with invariant checks
	bench/run-seckill-bench

bench-seckill-full: release frontend ## the same crowd with the flash sale on MariaDB + Redis + RabbitMQ
	scripts/stack start full
	set -a && source var/stack/stack.env && set +a && GOMALL_SECKILL_MODE=full \
		bench/run-seckill-bench --database env --out bench/results/seckill-full-$$(date +%F).md

bench-micro: bootstrap ## micro-benchmarks of the hot path: router, envelope, token check, pipeline, Redis gate
	bench/run-micro-bench

fmt: ## format C++ sources with clang-format 14
	tools/format.sh

fmt-check: ## fail if formatting differs
	tools/format.sh --check

lint: debug ## layering check and clang-tidy over src/ and tests/; on a clean committed tree, records HEAD in tools/tidy-clean-at (make test then tidies only what changed since)
	tools/check_layers.sh
	tools/tidy.sh
	@if [ -z "$$(git status --porcelain 2>/dev/null)" ] && git rev-parse HEAD >/dev/null 2>&1; then \
		git rev-parse HEAD > tools/tidy-clean-at; \
		echo "lint: clean at $$(cat tools/tidy-clean-at); commit tools/tidy-clean-at"; \
	else \
		echo "lint: clean, but the tree has uncommitted changes: tools/tidy-clean-at left as it was"; \
	fi

clean: ## remove build outputs (keeps var/ data)
	rm -rf build frontend/dist
