# H3LIX — run `make help` for the targets.
SHELL := bash
.DEFAULT_GOAL := help

BUILDDIR   ?= $(CURDIR)/build
TOOLSDIR   := $(CURDIR)/bin
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT     ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS    := -X github.com/cosmos/cosmos-sdk/version.Name=h3lix \
              -X github.com/cosmos/cosmos-sdk/version.AppName=h3lixd \
              -X github.com/cosmos/cosmos-sdk/version.Version=$(VERSION) \
              -X github.com/cosmos/cosmos-sdk/version.Commit=$(COMMIT)
BUILD_FLAGS := -ldflags '$(LDFLAGS)'

# Pinned generator versions (installed into ./bin with `go install`).
BUF_VERSION           := v1.75.0
GOGOPROTO_VERSION     := v1.7.2
GRPC_GATEWAY_VERSION  := v1.16.0
OPENAPIV2_VERSION     := v2.30.0

ROUNDS ?= 1000
NODES ?= 20
BYZANTINE ?= 0.25
SEED ?= 1
FUZZTIME ?= 30s
# Workers `make localnet` starts next to the validator (0 for none).
# The localnet's definition (validators, workers, ports, round lengths) is
# networks/local/network.env; WORKERS=N overrides its worker count.
LOCALNET_ENV = H3LIXD=$(BUILDDIR)/h3lixd H3LIX_WORKER=$(BUILDDIR)/h3lix-worker

##@ Build
build: ## Build h3lixd, h3lix-worker and h3lix-network into ./build
	go build $(BUILD_FLAGS) -o $(BUILDDIR)/h3lixd ./cmd/h3lixd
	go build $(BUILD_FLAGS) -o $(BUILDDIR)/h3lix-worker ./cmd/h3lix-worker
	go build $(BUILD_FLAGS) -o $(BUILDDIR)/h3lix-network ./cmd/h3lix-network

install: ## Install h3lixd and h3lix-worker into $GOPATH/bin
	go install $(BUILD_FLAGS) ./cmd/h3lixd
	go install $(BUILD_FLAGS) ./cmd/h3lix-worker

##@ Test
# The e2e tests run real networks against the clock (phases of a few
# one-second blocks), so they run alone, after the other packages.
test: ## All tests: unit, keeper, fuzz seeds, in-process network, then the real-binary e2e on its own
	go test -count=1 -timeout 30m $$(go list ./... | grep -v /tests/e2e)
	mkdir -p $(CURDIR)/build/test-artifacts
	go test -count=1 -timeout 30m -artifacts -outputdir $(CURDIR)/build/test-artifacts ./tests/e2e/...

test-unit: ## Fast tests only (skips the networks and the e2e tests)
	go test -short ./...

test-race: ## Unit tests with the race detector
	go test -short -race ./...

test-e2e: ## Only the end-to-end tests (builds h3lixd, runs localnets)
	go test -count=1 -v ./tests/e2e/...

ollama: ## Build Ollama (pinned, from its Go module) into ./bin/ollama for the llm engine's tests against a real model server
	./scripts/ollama.sh

test-kubo: ## Opt-in: worker/store's Kubo mode against a real offline Kubo daemon (builds kubo into ./bin/ipfs once)
	./scripts/test-kubo.sh

fuzz: ## Run each fuzz target for FUZZTIME (default 30s)
	go test -run '^$$' -fuzz '^FuzzRegisterNode$$' -fuzztime $(FUZZTIME) ./x/identity/keeper
	go test -run '^$$' -fuzz '^FuzzGenesisJSON$$' -fuzztime $(FUZZTIME) ./x/identity/types
	go test -run '^$$' -fuzz '^FuzzRevealArtifact$$' -fuzztime $(FUZZTIME) ./x/artifact/keeper
	go test -run '^$$' -fuzz '^FuzzAttest$$' -fuzztime $(FUZZTIME) ./x/artifact/keeper
	go test -run '^$$' -fuzz '^FuzzDisclose$$' -fuzztime $(FUZZTIME) ./x/artifact/keeper
	go test -run '^$$' -fuzz '^FuzzVerifyChunk$$' -fuzztime $(FUZZTIME) ./x/artifact/types
	go test -run '^$$' -fuzz '^FuzzParseExtension$$' -fuzztime $(FUZZTIME) ./x/ccf/beacon
	go test -run '^$$' -fuzz '^FuzzDecodeTx$$' -fuzztime $(FUZZTIME) ./x/ccf/beacon
	go test -run '^$$' -fuzz '^FuzzManifestJSON$$' -fuzztime $(FUZZTIME) ./x/artifact/types
	go test -run '^$$' -fuzz '^FuzzBuildField$$' -fuzztime $(FUZZTIME) ./x/ccf/aggregate
	go test -run '^$$' -fuzz '^FuzzFilterOutliers$$' -fuzztime $(FUZZTIME) ./x/ccf/aggregate
	go test -run '^$$' -fuzz '^FuzzDecideVerdict$$' -fuzztime $(FUZZTIME) ./x/ccf/aggregate
	go test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./worker/engine/pbe/sygus
	go test -run '^$$' -fuzz '^FuzzFragments$$' -fuzztime $(FUZZTIME) ./worker/engine/pbe/sygus
	go test -run '^$$' -fuzz '^FuzzGenerate$$' -fuzztime $(FUZZTIME) ./worker/engine/pbe/taskgen
	go test -run '^$$' -fuzz '^FuzzVerifyPayload$$' -fuzztime $(FUZZTIME) ./worker/engine/pbe
	go test -run '^$$' -fuzz '^FuzzDecodePrior$$' -fuzztime $(FUZZTIME) ./worker/engine/pbe
	go test -run '^$$' -fuzz '^FuzzJournalReplay$$' -fuzztime $(FUZZTIME) ./worker/round
	go test -run '^$$' -fuzz '^FuzzLoadConfig$$' -fuzztime $(FUZZTIME) ./worker/node
	go test -run '^$$' -fuzz '^FuzzManifestOf$$' -fuzztime $(FUZZTIME) ./worker/chain
	go test -run '^$$' -fuzz '^FuzzTraceDecoders$$' -fuzztime $(FUZZTIME) ./worker/energy/carbon

sim: ## Randomized protocol simulation on the real app: ROUNDS (1000) rounds, NODES (20), BYZANTINE (0.25), SEED (1)
	go test -count=1 -timeout 90m -run '^TestProtocolSim$$' ./tests/sim -v \
		-sim.rounds $(ROUNDS) -sim.nodes $(NODES) -sim.byzantine $(BYZANTINE) -sim.seed $(SEED)

bench: ## Go benchmarks (finalization at 1k/10k/100k artifacts, aggregation, the PBE enumerator)
	go test -run '^$$' -bench . -benchmem -benchtime 1x -timeout 30m ./x/...
	GOMAXPROCS=1 go test -run '^$$' -bench . -timeout 30m ./worker/...

bench-chain: build ## Committed tx/s of commit, reveal and attest vs bank sends on a fresh localnet
	H3LIXD=$(BUILDDIR)/h3lixd ./scripts/bench-chain.sh

lint: ## go vet and gofmt
	go vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

##@ Protobuf
proto-tools: ## Install buf and the protoc plugins at pinned versions into ./bin
	@mkdir -p $(TOOLSDIR)
	@[ -x $(TOOLSDIR)/buf ] || GOBIN=$(TOOLSDIR) go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
	@[ -x $(TOOLSDIR)/protoc-gen-gocosmos ] || GOBIN=$(TOOLSDIR) go install github.com/cosmos/gogoproto/protoc-gen-gocosmos@$(GOGOPROTO_VERSION)
	@[ -x $(TOOLSDIR)/protoc-gen-grpc-gateway ] || GOBIN=$(TOOLSDIR) go install github.com/grpc-ecosystem/grpc-gateway/protoc-gen-grpc-gateway@$(GRPC_GATEWAY_VERSION)
	@[ -x $(TOOLSDIR)/protoc-gen-openapiv2 ] || GOBIN=$(TOOLSDIR) go install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2@$(OPENAPIV2_VERSION)

proto-gen: proto-tools ## Regenerate Go code and the OpenAPI document from proto/
	./scripts/protocgen.sh

proto-lint: proto-tools ## buf lint
	$(TOOLSDIR)/buf lint

proto-check: proto-gen ## Fail when the committed generated code is stale
	@git diff --exit-code -- 'x/*/types/*.pb.go' 'x/*/types/*.pb.gw.go' docs/openapi || \
	  (echo "generated code is stale: run 'make proto-gen' and commit the result"; exit 1)
	@untracked=$$(git ls-files --others --exclude-standard -- 'x/*/types/*.pb*.go'); \
	  if [ -n "$$untracked" ]; then echo "untracked generated files: $$untracked"; exit 1; fi

##@ Local networks
localnet: build ## Build and start the localnet of networks/local (1 validator, ~1 s blocks, 3 workers; WORKERS=N to change) in ./.localnet/1val
	$(LOCALNET_ENV) $(if $(WORKERS),LOCALNET_WORKERS=$(WORKERS)) ./scripts/localnet.sh start

localnet-multi: build ## Build and start a 4-validator localnet with the workers of networks/local in ./.localnet/4val
	$(LOCALNET_ENV) $(if $(WORKERS),LOCALNET_WORKERS=$(WORKERS)) ./scripts/localnet.sh start $$(sed -n 's/^LOCALNET_VALIDATORS_MULTI=//p' networks/local/network.env)

localnet-stop: ## Stop the running localnet and its workers (state is kept)
	$(LOCALNET_ENV) ./scripts/localnet.sh stop

localnet-status: ## Heights of the localnet validators and the workers' state
	$(LOCALNET_ENV) ./scripts/localnet.sh status

localnet-reset: ## Stop and delete the localnet
	$(LOCALNET_ENV) ./scripts/localnet.sh reset

network: build ## The network experiment of networks/experiment (4 validators, 8 workers, adversaries, controls, faults; ~15 min) -> network-report/
	./scripts/network.sh

clean: ## Remove build outputs
	rm -rf $(BUILDDIR)

help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"} /^##@/ {printf "\n%s\n", substr($$0, 5)} /^[a-zA-Z0-9_-]+:.*##/ {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build install test test-unit sim test-race test-e2e test-kubo ollama fuzz bench bench-chain lint proto-tools proto-gen proto-lint proto-check \
        localnet localnet-multi localnet-stop localnet-status localnet-reset network clean help
