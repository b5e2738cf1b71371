#!/bin/sh
# azd postdeploy hook (also runnable by hand after a Terraform deployment): subscribes the blob
# trigger `onMigrationCsvUploaded` (EventGrid source) to BlobCreated events for
# <migrations>/incoming/*.csv on the storage account's Event Grid system topic.
#
# Why here and not in Bicep: the webhook URL carries the blobs_extension system key, which the
# Functions host creates only when it starts with the deployed code. See docs/deploy.md.
#
# Reads (azd exports its environment to hooks; set them yourself otherwise):
#   AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, AZURE_EVENTGRID_SYSTEM_TOPIC_NAME,
#   AZURE_MIGRATIONS_CONTAINER (default "migrations")
# Needs the Azure CLI, signed in (`az login`) to the deployment's subscription.
set -eu

FUNCTION_NAME="onMigrationCsvUploaded"
SUBSCRIPTION_NAME="migration-csv-uploaded"
KEY_ATTEMPTS="${MAILMIG_KEY_ATTEMPTS:-20}"
KEY_WAIT_SECONDS="${MAILMIG_KEY_WAIT_SECONDS:-15}"

fail() {
  echo "postdeploy: $*" >&2
  exit 1
}

command -v az >/dev/null 2>&1 || fail "the Azure CLI (az) is required: https://aka.ms/azure-cli"

# Outside azd, fall back to the current azd environment if one exists.
if [ -z "${AZURE_FUNCTION_APP_NAME:-}" ] && command -v azd >/dev/null 2>&1; then
  azd_values=$(azd env get-values 2>/dev/null || true)
  while IFS='=' read -r name value; do
    case "$name" in
      AZURE_RESOURCE_GROUP | AZURE_FUNCTION_APP_NAME | AZURE_EVENTGRID_SYSTEM_TOPIC_NAME | AZURE_MIGRATIONS_CONTAINER | AZURE_SUBSCRIPTION_ID)
        value=${value#\"}
        value=${value%\"}
        export "$name=$value"
        ;;
    esac
  done <<EOF_VALUES
$azd_values
EOF_VALUES
fi

: "${AZURE_RESOURCE_GROUP:?set AZURE_RESOURCE_GROUP}"
: "${AZURE_FUNCTION_APP_NAME:?set AZURE_FUNCTION_APP_NAME}"
: "${AZURE_EVENTGRID_SYSTEM_TOPIC_NAME:?set AZURE_EVENTGRID_SYSTEM_TOPIC_NAME}"
CONTAINER="${AZURE_MIGRATIONS_CONTAINER:-migrations}"

az account show >/dev/null 2>&1 || fail "the Azure CLI is not signed in: run 'az login' (azd and az sign in separately)"
if [ -n "${AZURE_SUBSCRIPTION_ID:-}" ]; then
  az account set --subscription "$AZURE_SUBSCRIPTION_ID"
fi

# The key appears once the host has started with the blob trigger indexed; a fresh Flex
# deployment may take a little while. Each request to the app also wakes it up.
app_host=$(az functionapp show -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" --query defaultHostName -o tsv)
[ -n "$app_host" ] || fail "function app $AZURE_FUNCTION_APP_NAME not found in $AZURE_RESOURCE_GROUP"

key=""
attempt=1
while [ "$attempt" -le "$KEY_ATTEMPTS" ]; do
  key=$(az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" \
    --query "systemKeys.blobs_extension" -o tsv 2>/dev/null || true)
  if [ -n "$key" ]; then
    break
  fi
  echo "postdeploy: waiting for the blobs_extension key ($attempt/$KEY_ATTEMPTS)..."
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null --max-time 30 "https://$app_host/" || true
  fi
  sleep "$KEY_WAIT_SECONDS"
  attempt=$((attempt + 1))
done
[ -n "$key" ] || fail "no blobs_extension system key on $AZURE_FUNCTION_APP_NAME: is the code deployed, and does it register the blob trigger $FUNCTION_NAME with source 'EventGrid'?"

endpoint="https://$app_host/runtime/webhooks/blobs?functionName=Host.Functions.$FUNCTION_NAME&code=$key"

# `create` is a PUT: running the hook again updates the subscription in place (a new key, a
# changed container) instead of failing.
az eventgrid system-topic event-subscription create \
  --name "$SUBSCRIPTION_NAME" \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --system-topic-name "$AZURE_EVENTGRID_SYSTEM_TOPIC_NAME" \
  --endpoint-type webhook \
  --endpoint "$endpoint" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "/blobServices/default/containers/$CONTAINER/blobs/incoming/" \
  --subject-ends-with ".csv" \
  --max-delivery-attempts 30 \
  --event-ttl 1440 \
  --output none

echo "postdeploy: Event Grid subscription '$SUBSCRIPTION_NAME' delivers $CONTAINER/incoming/*.csv to $FUNCTION_NAME."
