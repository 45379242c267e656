.PHONY: help setup dev reset test unit lint package deploy bench invoke token
.DEFAULT_GOAL := help

help:             ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 20

setup:            ## install the pinned local stack into .local/
	scripts/setup.sh

dev: setup        ## run the API locally on :9000 (and the web UI on :5173) against the local stack; OIDC=1: sign in through a local OpenID Connect provider
	OIDC=$(OIDC) scripts/dev.sh

reset:            ## forget the data make dev keeps in .local/data (stop make dev first)
	rm -rf .local/data

test:             ## the whole test suite (what CI runs): gates, unit, integration, e2e, fuzzing, browser
	scripts/test.sh

unit:             ## the decisions and the edge, no emulators (seconds)
	cargo test --locked -p invites-domain -p invites-http

lint:             ## cargo fmt --check, clippy -D warnings, unused dependencies
	scripts/lint.sh

package:          ## release zips for Lambda, one per function: make package [ARCH=arm64]
	scripts/package.sh

deploy:           ## sam build + sam deploy with deploy.env (see infra/deploy.example.env)
	scripts/deploy.sh

bench:            ## release binaries under a Lambda Runtime API emulator: docs/performance.md
	scripts/bench.sh

invoke:           ## replay a sample event against make dev: make invoke EVENT=create-invite
	@scripts/dev-invoke.sh "$(EVENT)"

token:            ## print a dev token: make -s token SUB=user-1 EMAIL=a@example.com [NAME=Ann]
	@scripts/dev-token.sh --sub "$(SUB)" $(if $(EMAIL),--email "$(EMAIL)") $(if $(NAME),--name "$(NAME)")
