# sockchat - one entry point for students, instructors and maintainers.
# `make` alone lists the targets. The work is done by the scripts in scripts/; this file only
# names it.

SHELL := /bin/bash
LESSONS := $(sort $(notdir $(wildcard lessons/[0-9][0-9]-*)))
NUMBERS := $(foreach l,$(LESSONS),$(firstword $(subst -, ,$(l))))

.DEFAULT_GOAL := help
.PHONY: help setup test progress grade grade-all slides slides-pdf test-slides clean \
	$(addprefix lesson-,$(NUMBERS)) $(addprefix solution-,$(NUMBERS)) $(addprefix run-,$(NUMBERS))

help:
	@echo "sockchat: learn the BSD socket API by rebuilding a chat, one system call at a time."
	@echo
	@echo "Students"
	@echo "  make lesson-NN        build your lessons/NN-*/ and run its checks (start: make lesson-01)"
	@echo "  make progress         which lessons pass, at a glance"
	@echo "  make run-NN           your server and client side by side in tmux (SOLUTION=1: the reference)"
	@echo "  make solution-NN      the same checks on the reference solution"
	@echo
	@echo "Instructors"
	@echo "  make grade SUBMISSION=dir [LESSONS=\"03 05\"] [OUT=dir]   grade one student's lessons/"
	@echo "  make grade-all SUBMISSIONS=dir                          grade every student folder in dir"
	@echo "  make slides           render the decks to build/slides/"
	@echo
	@echo "Maintainers"
	@echo "  make test             solutions pass, starters fail, every kept bug is caught"
	@echo "  make setup            install what the tests need"
	@echo "  make clean            remove build/"
	@echo
	@echo "Lessons: $(LESSONS)"

setup:
	@scripts/setup

lesson-%:
	@scripts/check $*

solution-%:
	@scripts/check --src solutions/$$(cd solutions && ls -d $*-* | head -n 1) \
		--out build/solutions/$$(cd solutions && ls -d $*-* | head -n 1) --label "Solution $*" $*

run-%:
	@scripts/run $(if $(SOLUTION),--solution) $*

progress:
	@scripts/progress

test:
	@scripts/selftest

clean:
	rm -rf build
