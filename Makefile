# A thin shim over the `brief` command. The first target run creates .venv and
# installs policybrief with its test extras; nothing else needs installing.
#   make pdf                 the source-language PDF       (EDITION=es for Spanish)
#   make html | docx         the web or Word edition
#   make all                 every format, every language
#   make check | test | clean

PYTHON ?= python3
VENV   := .venv
BRIEF  := $(VENV)/bin/brief
STAMP  := $(VENV)/.installed-stamp
LANG_ARG := $(if $(EDITION),--lang $(EDITION),)

# Reproducible builds: the build date is the last commit's, not the clock's.
# (Outside git, or before the first commit, there is none: the build date is today's.)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
ifneq ($(SOURCE_DATE_EPOCH),)
export SOURCE_DATE_EPOCH
endif

.PHONY: pdf html docx all check watch preview figures diff test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

pdf html docx: $(STAMP)
	$(BRIEF) build --to $@ $(LANG_ARG)

all: $(STAMP)
	$(BRIEF) build --to pdf,html,docx --lang $(or $(EDITION),all)

check: $(STAMP)
	$(BRIEF) check

watch: $(STAMP)
	$(BRIEF) watch $(LANG_ARG)

# make preview [EDITION=es] [PORT=n]: web edition and PDF in the browser, reloaded on save
preview: $(STAMP)
	$(BRIEF) preview $(LANG_ARG) $(if $(PORT),--port $(PORT),)

figures: $(STAMP)
	$(BRIEF) figures

# make diff BASE=main [HEAD=rev]: redline of the rendered text in build/diff/<lang>.html
diff: $(STAMP)
	$(BRIEF) diff $(or $(BASE),HEAD) $(HEAD)

test: $(STAMP)
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

clean:
	rm -rf build
