# The two commands a person needs: `make demo` and `make test`.
# Both build their own virtualenv from the pinned lock file first.
# The first interpreter that really runs and is 3.11+ (a pyenv shim may exist but fail).
PYTHON ?= $(shell for p in python3.12 python3.11 python3 python; do \
	if $$p -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1; then \
	command -v $$p; break; fi; done)
VENV ?= .venv
BIN := $(VENV)/bin
TOOLS ?= .venv-tools

.PHONY: demo test lint typecheck unit integration e2e infra-check audit bench soak browser clean

$(BIN)/.installed: requirements.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo 'Python 3.11+ is required (python3.11 or newer on PATH)'; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# checkov pins an old boto3, so it lives in a virtualenv of its own.
$(TOOLS)/checkov/.installed: requirements-checkov.lock
	$(PYTHON) -m venv $(TOOLS)/checkov
	$(TOOLS)/checkov/bin/pip install -q --disable-pip-version-check -r requirements-checkov.lock
	touch $@

# pip-audit too: it asks the vulnerability services about every pin of requirements.lock.
$(TOOLS)/pip-audit/.installed: requirements-pip-audit.lock
	$(PYTHON) -m venv $(TOOLS)/pip-audit
	$(TOOLS)/pip-audit/bin/pip install -q --disable-pip-version-check -r requirements-pip-audit.lock
	touch $@

demo: $(BIN)/.installed
	$(BIN)/stockplan demo

# lint-imports: the layering contracts of pyproject.toml [tool.importlinter] (run from
# the project's root, where functions/ is found as a namespace package).
# xenon: the complexity gate (radon's cyclomatic complexity). No function above rank C
# (complexity 20), no module's average above B, the code's average A. Nothing excluded.
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/xenon --max-absolute C --max-modules B --max-average A shared functions src

typecheck: $(BIN)/.installed
	$(BIN)/mypy

infra-check: $(BIN)/.installed $(TOOLS)/checkov/.installed
	$(BIN)/cfn-lint infra/template.yaml -a cfn_lint_serverless.rules
	$(TOOLS)/checkov/bin/checkov --quiet --compact --skip-download --framework cloudformation -f infra/template.yaml

# Fails on a known vulnerability; only warns when the vulnerability data is unreachable
# (STOCKPLAN_AUDIT_STRICT=1 makes that fail too). See docs/reliability.md.
audit: $(BIN)/.installed $(TOOLS)/pip-audit/.installed
	$(BIN)/python scripts/audit_dependencies.py $(TOOLS)/pip-audit/bin/pip-audit requirements.lock

# Debian's chromium and chromium-driver for the notices' browser test, installed with
# apt-get when missing (we are root; ~1.5 min the first time). Never a browser download.
# When they cannot be installed the reason goes to build/browser-unavailable.txt and the
# browser test fails with it.
browser:
	@sh scripts/install_browser.sh

# Coverage: all of shared/stockplan, its floor in pyproject.toml [tool.coverage.report].
test: lint typecheck infra-check audit browser
	$(BIN)/pytest -n 2 --cov --cov-branch --durations=25 tests

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run_all.py

# The fault campaign (docs/reliability.md): random AWS faults and SIGKILLs of a worker,
# each run compared with a fault-free one. SOAK_ARGS="--fault-runs 10 --kills 20".
soak: $(BIN)/.installed
	nice $(BIN)/python benchmarks/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache .coverage build
