# Inkbench: `make run` and `make test` work on a fresh machine with Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESSERACT_PKGS := tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim

.PHONY: install run test soak bench lint format tesseract dist messages catalogs clean

install: $(STAMP) tesseract catalogs

$(STAMP): pyproject.toml setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# OCR needs the tesseract engine and its language data (system packages); the
# Chinese OCR tests render their images with a CJK font. The publishing tests
# build a folder target's output with Hugo and commit it with git (and skip
# without them).
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
tesseract:
	@missing=""; \
	if ! (command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -q chi_sim); then \
		missing="$(TESSERACT_PKGS)"; fi; \
	[ -f $(CJK_FONT) ] || missing="$$missing fonts-noto-cjk"; \
	command -v hugo >/dev/null 2>&1 || missing="$$missing hugo"; \
	command -v git >/dev/null 2>&1 || missing="$$missing git"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing$$missing with apt-get"; \
		(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
		 (apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null)) \
		|| echo "could not install them; run: sudo apt-get install$$missing"; \
	else \
		echo "missing system packages (OCR, publishing and their tests need them). Run: sudo apt-get install $$missing"; \
	fi

# Translations: the .po files are the source (edited by hand, in git); the .mo
# files gettext reads are compiled from them (ignored by git; a wheel's build
# compiles its own, see setup.py).
CATALOGS := $(patsubst %.po,%.mo,$(wildcard assets/locale/*/LC_MESSAGES/inkbench.po))
catalogs: $(CATALOGS)
assets/locale/%.mo: assets/locale/%.po $(STAMP)
	$(BIN)/pybabel compile --domain inkbench --input-file $< --output-file $@ --statistics

# Extract every marked string into the template and merge it into each .po
# (a language in LOCALES without a .po yet gets a new one).
LOCALES := zh_CN
messages: install
	$(BIN)/pybabel extract --mapping-file babel.cfg --sort-output --no-location --no-wrap \
		--project Inkbench --copyright-holder "Inkbench" \
		--output-file assets/locale/inkbench.pot src cli tui integrations storage
	@for l in $(LOCALES); do [ -f assets/locale/$$l/LC_MESSAGES/inkbench.po ] || \
		$(BIN)/pybabel init --domain inkbench --input-file assets/locale/inkbench.pot \
			--output-dir assets/locale --locale $$l --no-wrap; done
	$(BIN)/pybabel update --domain inkbench --input-file assets/locale/inkbench.pot \
		--output-dir assets/locale --no-wrap --ignore-obsolete

run: install
	$(BIN)/inkbench

# Three test processes, one test file each at a time (see pytest-xdist in pyproject).
test: install
	$(BIN)/python -m pytest -q -m "not soak" -p no:cacheprovider -n 3 --dist loadfile

soak: install
	$(BIN)/python -m pytest -q -m soak

bench: install
	$(BIN)/python -m bench

# The sdist and the wheel, in dist/.
dist: install
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info .pytest_cache .ruff_cache bench/work
