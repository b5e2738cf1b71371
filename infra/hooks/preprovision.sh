#!/bin/sh
# azd preprovision hook: settles two things the provision cannot find out for itself.
#
# 1. Whether Bicep may declare the blob trigger's Event Grid subscription: only when the app
#    already runs code that published the blobs_extension key (the postdeploy hook turned
#    MAILMIG_BLOB_SUBSCRIPTION on). After `azd down`, or a new app, it is turned off again, so the
#    provision does not ask listKeys for a key that does not exist yet.
#
# 2. How Bicep creates the Key Vault. After `azd down` the vault stays
# soft-deleted (purge protection: it cannot be purged) and keeps its name for the retention
# period, so creating it again fails. When this environment has such a vault (same azd-env-name
# tag and region), the hook sets AZURE_KEY_VAULT_CREATE_MODE=recover and Bicep restores it, with
# its secrets; otherwise "default". azd reads the environment again before it reads
# main.parameters.json (Azure/azure-dev#6063). Terraform recovers on its own
# (recover_soft_deleted_key_vaults).
set -eu

command -v az >/dev/null 2>&1 || { echo "preprovision: the Azure CLI (az) is required: https://aka.ms/azure-cli" >&2; exit 1; }
: "${AZURE_ENV_NAME:?set AZURE_ENV_NAME}"
: "${AZURE_LOCATION:?set AZURE_LOCATION}"

if [ -n "${AZURE_SUBSCRIPTION_ID:-}" ]; then
  az account set --subscription "$AZURE_SUBSCRIPTION_ID"
fi

blob_subscription=false
if [ -n "${AZURE_FUNCTION_APP_NAME:-}" ] && [ -n "${AZURE_RESOURCE_GROUP:-}" ]; then
  key=$(az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" \
    --query "systemKeys.blobs_extension" -o tsv 2>/dev/null || true)
  if [ -n "$key" ]; then
    blob_subscription="${MAILMIG_BLOB_SUBSCRIPTION:-false}"
  fi
fi
azd env set MAILMIG_BLOB_SUBSCRIPTION "$blob_subscription"

location=$(printf '%s' "$AZURE_LOCATION" | tr '[:upper:]' '[:lower:]' | tr -d ' ')
deleted=$(az keyvault list-deleted --resource-type vault \
  --query "[?properties.tags.\"azd-env-name\"=='$AZURE_ENV_NAME' && properties.location=='$location' && starts_with(name, 'kv-mailmig-')].name | [0]" \
  -o tsv 2>/dev/null || true)

if [ -n "$deleted" ]; then
  echo "preprovision: Key Vault $deleted of environment $AZURE_ENV_NAME is soft-deleted: provisioning recovers it."
  azd env set AZURE_KEY_VAULT_CREATE_MODE recover
else
  azd env set AZURE_KEY_VAULT_CREATE_MODE default
fi
