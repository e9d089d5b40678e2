# The two commands the README leads with: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
STAMP := $(VENV)/.requirements-installed

.PHONY: run test check system-packages setup

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

## Set up, index the bundled sample guidance, and start the app on http://localhost:$(PORT)
run: setup
	$(BIN)/python -m ingest sample_guidance/guidance --collection guidance
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT) --server.headless true

## Set up (including Chromium and LibreOffice for the browser and Word tests) and run every test
test: setup system-packages check
	$(BIN)/python -m pytest

## Lint and type-check
check: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

system-packages:
	@if ! command -v chromium >/dev/null || ! command -v soffice >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium libreoffice-writer-nogui >/dev/null; \
	  else \
	    echo "Install Chromium and LibreOffice Writer (Debian: apt-get install chromium libreoffice-writer-nogui)"; \
	    exit 1; \
	  fi; \
	fi
