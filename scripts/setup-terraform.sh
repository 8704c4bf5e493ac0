#!/usr/bin/env bash
# Terraform for the terraform target's tests (terraform fmt -check, and terraform apply evaluating the
# emitted strings). When it is not on PATH it is built from its Go module at the pinned version; when that
# cannot be done, the setup fails with a message saying what to install. It never skips.
set -euo pipefail

TERRAFORM_VERSION="v1.11.4"

if ! command -v terraform >/dev/null 2>&1; then
  if ! command -v go >/dev/null 2>&1; then
    echo "setup-terraform: terraform is not on PATH and go is not there to build it; install Terraform ${TERRAFORM_VERSION#v} (the terraform target's tests run terraform fmt and terraform apply on the emitted HCL)" >&2
    exit 1
  fi
  echo "setup-terraform: go install github.com/hashicorp/terraform@${TERRAFORM_VERSION}"
  if ! go install "github.com/hashicorp/terraform@${TERRAFORM_VERSION}"; then
    echo "setup-terraform: terraform is not on PATH and building it (go install github.com/hashicorp/terraform@${TERRAFORM_VERSION}) failed; install Terraform ${TERRAFORM_VERSION#v} by hand" >&2
    exit 1
  fi
  ln -sf "$(go env GOPATH)/bin/terraform" /usr/local/bin/terraform
fi
# The whole output, then its first line: `| head -1` could stop terraform with SIGPIPE, which pipefail reports.
if ! version="$(CHECKPOINT_DISABLE=1 terraform version 2>/dev/null)" || [ -z "$version" ]; then
  echo "setup-terraform: terraform is on PATH but 'terraform version' fails; reinstall Terraform ${TERRAFORM_VERSION#v}" >&2
  exit 1
fi
echo "setup-terraform: ${version%%$'\n'*}"
