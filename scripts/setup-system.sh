#!/usr/bin/env bash
# Installs the system tools the test suite drives for real, when they are missing:
# Debian packages (iptables, ipset, nftables, dnsmasq, shellcheck, iproute2, and chromium for the docs
# site's browser tests), the pinned opa binary and the pinned conftest (runs the OPA bundle as policy
# users do); then Terraform (setup-terraform.sh), which fails the setup with a clear message when it
# cannot be had.
set -euo pipefail

OPA_VERSION="v1.22.3"
CONFTEST_VERSION="v0.71.1"
need_apt=()
for tool in iptables:iptables ipset:ipset nft:nftables dnsmasq:dnsmasq-base shellcheck:shellcheck ip:iproute2 unshare:util-linux python3:python3 chromium:chromium; do
  bin="${tool%%:*}"
  pkg="${tool#*:}"
  command -v "$bin" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "setup-system: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

gobin="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
# Whole output first: a pipe into `grep -q` or `head` can stop opa with SIGPIPE, which pipefail reports.
opa_version_line() { local out; out="$("$1" version 2>/dev/null)" || return 1; printf '%s\n' "${out%%$'\n'*}"; }
opa_is_pinned() { [ "$(opa_version_line "$1")" = "Version: ${OPA_VERSION#v}" ]; }
# An opa on PATH at another version is replaced: the policy's tests pin its behaviour to this one.
if ! command -v opa >/dev/null 2>&1 || ! opa_is_pinned "$(command -v opa)"; then
  if [ ! -x "$gobin/opa" ] || ! opa_is_pinned "$gobin/opa"; then
    echo "setup-system: go install github.com/open-policy-agent/opa@${OPA_VERSION}"
    go install "github.com/open-policy-agent/opa@${OPA_VERSION}"
  fi
  ln -sf "$gobin/opa" /usr/local/bin/opa
fi
bash "$(dirname "$0")/setup-terraform.sh"
opa_version_line "$(command -v opa)"
# A go-installed conftest reports "Conftest: dev", so its module version is read from the binary.
conftest_module_version() { go version -m "$1" 2>/dev/null | awk '$1 == "mod" && $2 == "github.com/open-policy-agent/conftest" {print $3}'; }
if ! command -v conftest >/dev/null 2>&1 || [ "$(conftest_module_version "$(command -v conftest)")" != "$CONFTEST_VERSION" ]; then
  if [ ! -x "$gobin/conftest" ] || [ "$(conftest_module_version "$gobin/conftest")" != "$CONFTEST_VERSION" ]; then
    echo "setup-system: go install github.com/open-policy-agent/conftest@${CONFTEST_VERSION}"
    go install "github.com/open-policy-agent/conftest@${CONFTEST_VERSION}"
  fi
  ln -sf "$gobin/conftest" /usr/local/bin/conftest
fi
echo "setup-system: conftest $(conftest_module_version "$(command -v conftest)")"
echo "setup-system: iptables $(iptables --version | awk '{print $2}'), nft $(nft --version | awk '{print $2}'), shellcheck $(shellcheck --version | awk '/^version/ {print $2}'), $(chromium --version 2>/dev/null | awk '{print $1, $2}')"
