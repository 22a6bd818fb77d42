# sockchat - one entry point for students, instructors and maintainers.
# `make` alone lists the targets. The work is done by the scripts in scripts/; this file only
# names it.

SHELL := /bin/bash
LESSONS := $(sort $(notdir $(wildcard lessons/[0-9][0-9]-*)))
NUMBERS := $(foreach l,$(LESSONS),$(firstword $(subst -, ,$(l))))

.DEFAULT_GOAL := help
.PHONY: help setup test lint progress grade grade-all slides slides-pdf test-slides clean \
	$(addprefix lesson-,$(NUMBERS)) $(addprefix solution-,$(NUMBERS)) $(addprefix run-,$(NUMBERS)) \
	$(addprefix watch-,$(NUMBERS))

help:
	@echo "sockchat: learn the BSD socket API by rebuilding a chat, one system call at a time."
	@echo
	@echo "Students"
	@echo "  make lesson-NN        build your lessons/NN-*/ and run its checks (start: make lesson-01)"
	@echo "  make watch-NN         run lesson NN's checks again each time you save one of its files"
	@echo "  make progress         which lessons pass, at a glance"
	@echo "  make run-NN           your server and client side by side in tmux (SOLUTION=1: the reference)"
	@echo "  make solution-NN      the same checks on the reference solution"
	@echo
	@echo "Instructors"
	@echo "  make grade SUBMISSION=dir [LESSONS=\"03 05\"] [OUT=dir]   grade one student's lessons/"
	@echo "  make grade-all SUBMISSIONS=dir                          grade every student folder in dir"
	@echo "  make slides           render the decks to build/slides/ (HTML, and an index.html)"
	@echo "  make slides-pdf       the same, plus a PDF of each deck (needs Chromium)"
	@echo
	@echo "Maintainers"
	@echo "  make test             solutions pass, starters fail, every kept bug is caught"
	@echo "  make test-slides      build every deck and check each slide in headless Chromium"
	@echo "  make lint             shellcheck the shell scripts, clang-format --dry-run the C"
	@echo "  make setup            install what the tests need"
	@echo "  make clean            remove build/"
	@echo
	@echo "Lessons: $(LESSONS)"

setup:
	@scripts/setup

# Static pattern rules: make never applies a plain pattern rule to a .PHONY target.
$(addprefix lesson-,$(NUMBERS)): lesson-%:
	@scripts/check $*

$(addprefix solution-,$(NUMBERS)): solution-%:
	@scripts/check --src solutions/$$(cd solutions && ls -d $*-* | head -n 1) \
		--out build/solutions/$$(cd solutions && ls -d $*-* | head -n 1) --label "Solution $*" $*

$(addprefix watch-,$(NUMBERS)): watch-%:
	@scripts/watch $*

$(addprefix run-,$(NUMBERS)): run-%:
	@scripts/run $(if $(SOLUTION),--solution) $*

progress:
	@scripts/progress

test:
	@scripts/selftest

lint:
	@scripts/lint

# Instructors: grade with this checkout's tests, never the submission's (README, "For
# instructors"). LESSONS given on the command line picks lessons; otherwise all are graded.
GRADE_LESSONS = $(if $(filter command line,$(origin LESSONS)),--lessons "$(LESSONS)")

grade:
	@scripts/grade --submission "$(SUBMISSION)" $(if $(OUT),--out "$(OUT)") $(GRADE_LESSONS) \
		$(if $(filter-out 0,$(STRICT)),--strict)

grade-all:
	@scripts/grade-all --submissions "$(SUBMISSIONS)" $(if $(OUT),--out "$(OUT)") $(GRADE_LESSONS) \
		$(if $(JOBS),--jobs $(JOBS))

slides:
	@scripts/slides

slides-pdf:
	@scripts/slides --pdf

test-slides:
	@scripts/setup --slides && scripts/check-meta slides

clean:
	rm -rf build
