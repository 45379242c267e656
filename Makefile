.PHONY: setup dev test bench token

setup:            ## install the pinned local stack into .local/
	scripts/setup.sh

dev: setup        ## run the API locally on :9000 against the local stack
	scripts/dev.sh

test:             ## the whole test suite (what CI runs)
	scripts/test.sh

bench:            ## release binaries under a Lambda Runtime API emulator: docs/performance.md
	scripts/bench.sh

token:            ## print a dev bench:            ## release binaries under a Lambda Runtime API emulator: docs/performance.md
	scripts/bench.sh

token: make token SUB=user-1 EMAIL=a@example.com
	@scripts/dev-token.sh --sub "$(SUB)" $(if $(EMAIL),--email "$(EMAIL)") $(if $(NAME),--name "$(NAME)")
