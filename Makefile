# Full-directory FUSE passthrough for Linux 6.12: build, boot and test.
#
#   make test      build everything that is missing, boot the kernel in QEMU
#                  and run the selftests (final line: N passed, N failed)
#   make demo      the main job: a passthrough daemon over a sample tree
#   make bench     native / overlayfs / FUSE / per-file / dir passthrough
#   make stress    stress-ng + integrity check on the debug kernel
#
# Others: deps prepare kernel libfuse bpftool selftests refresh-patches
# refresh-libfuse-patches rebase-base checkpatch mail-series (the series as
# mailed, new files in the patches that add them, in build/mail-series;
# git am-checked) bisect-check (every patch of it builds and boots) clean.
# DEBUG=1 builds and boots the debug kernel (KASAN, lockdep, kmemleak...).

TOP := $(abspath .)
BUILD := $(TOP)/build
DEBUG ?= 0
# KERNEL=mainline: Debian's linux-source-7.3 with patches/mainline/ (see
# harness/kernel.sh); the default is the 6.12 LTS base CI runs
KERNEL ?= 6.12
export DEBUG BUILD KERNEL

ifeq ($(KERNEL),mainline)
KSUFFIX := -mainline
else
KSUFFIX :=
endif
ifeq ($(DEBUG),1)
OBJ := $(BUILD)/obj$(KSUFFIX)-debug
else
OBJ := $(BUILD)/obj$(KSUFFIX)
endif
KTREE := $(BUILD)/linux$(KSUFFIX)
SELFTESTS := $(BUILD)/selftests$(KSUFFIX)
LIBFUSE := $(BUILD)/libfuse
BPFTOOL_DIR := $(BUILD)/bpftool$(KSUFFIX)
SELFTEST_DIR := tools/testing/selftests/filesystems/fuse

.PHONY: all deps prepare kernel libfuse bpftool selftests test demo bench stress fstests \
	refresh-patches refresh-libfuse-patches rebase-base checkpatch mail-series \
	bisect-check clean distclean

all: kernel selftests

deps:
	@harness/install-deps

prepare: deps
	@harness/prepare

kernel: prepare
	@harness/build-kernel

# Debian's fuse3 with patches/libfuse/series, in build/libfuse (never installed)
libfuse: deps
	@harness/build-libfuse

# bpftool and libbpf from the pinned kernel tree, in build/bpftool
bpftool: prepare
	@harness/build-bpftool

selftests: kernel libfuse bpftool
	@mkdir -p $(SELFTESTS)
	@$(MAKE) -s -C $(KTREE)/$(SELFTEST_DIR) OUTPUT=$(SELFTESTS) \
		KHDR_INCLUDES="-isystem $(OBJ)/usr-headers/include" \
		LIBFUSE=$(LIBFUSE) BPFTOOL_DIR=$(BPFTOOL_DIR) VMLINUX=$(OBJ)/vmlinux all
	@$(MAKE) -s -C $(KTREE)/$(SELFTEST_DIR) OUTPUT=$(SELFTESTS) LIBFUSE=$(LIBFUSE) \
		BPFTOOL_DIR=$(BPFTOOL_DIR) VMLINUX=$(OBJ)/vmlinux list > $(SELFTESTS)/tests

test: selftests
	@harness/fetch-source $(if $(KSUFFIX),linux-7.3,linux-6.12) --status
	@harness/test

demo: selftests
	@harness/demo

bench: selftests
	@harness/bench

# stress-ng and the integrity check, on the debug kernel unless STRESS_DEBUG=0
STRESS_DEBUG ?= 1
stress: deps
	@$(MAKE) --no-print-directory DEBUG=$(STRESS_DEBUG) selftests
	@DEBUG=$(STRESS_DEBUG) harness/stress

# optional, never in CI: fstests over tmpfs and fuse-passthrough --mode=dir
fstests: selftests
	@harness/fstests

refresh-patches:
	@harness/refresh-patches

refresh-libfuse-patches:
	@harness/refresh-patches --libfuse

# the newest 6.12.y Debian serves (or BASE=VERSION), three-way rebase;
# after a conflict: make rebase-base CONTINUE=1 (or ABORT=1)
rebase-base: deps
	@harness/rebase-base $(if $(CONTINUE),--continue,$(if $(ABORT),--abort,$(BASE)))

checkpatch: prepare
	@harness/checkpatch

mail-series: prepare
	@harness/mail-series --check

bisect-check: kernel
	@harness/bisect-check

clean:
	rm -rf $(BUILD)/obj $(BUILD)/obj-debug $(BUILD)/selftests $(BUILD)/vm \
		$(BUILD)/obj-mainline $(BUILD)/obj-mainline-debug $(BUILD)/selftests-mainline \
		$(LIBFUSE)/build $(LIBFUSE)/prefix

distclean:
	rm -rf $(BUILD)
