# sam build (BuildMethod: makefile) runs build-<LogicalId> with ARTIFACTS_DIR set; the function's zip is that folder.
# All the functions are the one Native AOT executable `bootstrap` (src/Serverless.Functions); Handler picks the function.
# ARCH must match the template's Architecture parameter: `ARCH=arm64 sam build --parameter-overrides Architecture=arm64`.

ARCH ?= x86_64
CONFIGURATION ?= Release

ifeq ($(ARCH),x86_64)
RID := linux-x64
else ifeq ($(ARCH),arm64)
RID := linux-arm64
else
$(error ARCH must be x86_64 or arm64, got '$(ARCH)')
endif

FUNCTIONS := ApiFunction AuditFunction DenormalizeFunction PurgeFunction CacheInvalidationFunction

.PHONY: $(addprefix build-,$(FUNCTIONS)) publish

$(addprefix build-,$(FUNCTIONS)):
	$(MAKE) --no-print-directory publish OUT="$(ARTIFACTS_DIR)"

# Publishes bootstrap into OUT and leaves only what Lambda runs (the stripped symbols stay out of the zip).
publish:
	@test -n "$(OUT)" || { echo "OUT (or ARTIFACTS_DIR from sam build) is required" >&2; exit 2; }
	dotnet publish src/Serverless.Functions/Serverless.Functions.csproj -c $(CONFIGURATION) -r $(RID) -o "$(OUT)"
	rm -f "$(OUT)"/*.dbg "$(OUT)"/*.pdb "$(OUT)"/*.staticwebassets.endpoints.json
	test -x "$(OUT)/bootstrap"
