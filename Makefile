# Thin wrapper over CMake. `make run`: set up, build optimised, serve the demo.
# `make test`: set up, check the optimised build is warning-free too, build with ASan+UBSan and
# run every suite through ctest.
LISTEN ?= 127.0.0.1:8080
JOBS ?= $(shell nproc)

.PHONY: run build test build-dev deps bench clean

run: deps build
	@mkdir -p var
	@[ -f var/demo.db ] || ./build/bangban seed-demo --db var/demo.db
	@echo ""
	@echo "  Bangban is at http://$(LISTEN)/"
	@echo "  Demo sign-ins (password bangban-demo): admin coord approver auditor (city centre),"
	@echo "  clerk webagent tadmin (township), agent agent2 (villages)"
	@echo ""
	./build/bangban serve --db var/demo.db --listen $(LISTEN)

build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build -j $(JOBS)

build-dev:
	cmake -S . -B build-dev -DCMAKE_BUILD_TYPE=Debug -DBB_SANITIZE=ON -DBB_TESTS=ON >/dev/null
	cmake --build build-dev -j $(JOBS)

test: deps build build-dev
	cd build-dev && ctest --output-on-failure -j $(JOBS)

bench: deps
	bench/run.sh

deps:
	@scripts/deps.sh

clean:
	rm -rf build build-dev
