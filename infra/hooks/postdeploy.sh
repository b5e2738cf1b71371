#!/bin/sh
# azd postdeploy hook (also runnable by hand after a Terraform deployment): subscribes the blob
# trigger `onMigrationCsvUploaded` (EventGrid source) to BlobCreated events for
# <migrations>/incoming/*.csv on the storage account's Event Grid system topic, with the same
# dead-letter destination, retry policy and filters as infra/bicep/modules/eventgrid.bicep.
#
# Why here on the first `azd up`: the webhook URL carries the blobs_extension system key, which
# the Functions host creates only when it starts with the deployed code, and Event Grid's
# validation handshake needs that code to answer (on a Flex cold start the first handshake often
# times out: the PUT is retried). Once it succeeded the hook sets MAILMIG_BLOB_SUBSCRIPTION=true,
# and every later `azd provision` declares the subscription in Bicep. See docs/deploy.md.
#
# Reads (azd exports its environment to hooks; set them yourself otherwise):
#   AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, AZURE_EVENTGRID_SYSTEM_TOPIC_NAME,
#   AZURE_STORAGE_ACCOUNT_NAME, AZURE_MANAGED_IDENTITY_RESOURCE_ID,
#   AZURE_MIGRATIONS_CONTAINER (default "migrations"), AZURE_DEADLETTER_CONTAINER (default "deadletter")
# Needs the Azure CLI, signed in (`az login`) to the deployment's subscription.
set -eu

FUNCTION_NAME="onMigrationCsvUploaded"
SUBSCRIPTION_NAME="migration-csv-uploaded"
EVENTGRID_API="2025-02-15"
KEY_ATTEMPTS="${MAILMIG_KEY_ATTEMPTS:-20}"
KEY_WAIT_SECONDS="${MAILMIG_KEY_WAIT_SECONDS:-15}"
SUBSCRIBE_ATTEMPTS="${MAILMIG_SUBSCRIBE_ATTEMPTS:-8}"
SUBSCRIBE_WAIT_SECONDS="${MAILMIG_SUBSCRIBE_WAIT_SECONDS:-20}"

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
      AZURE_RESOURCE_GROUP | AZURE_FUNCTION_APP_NAME | AZURE_EVENTGRID_SYSTEM_TOPIC_NAME | AZURE_MIGRATIONS_CONTAINER | AZURE_SUBSCRIPTION_ID | AZURE_STORAGE_ACCOUNT_NAME | AZURE_MANAGED_IDENTITY_RESOURCE_ID | AZURE_DEADLETTER_CONTAINER)
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
: "${AZURE_STORAGE_ACCOUNT_NAME:?set AZURE_STORAGE_ACCOUNT_NAME}"
: "${AZURE_MANAGED_IDENTITY_RESOURCE_ID:?set AZURE_MANAGED_IDENTITY_RESOURCE_ID}"
CONTAINER="${AZURE_MIGRATIONS_CONTAINER:-migrations}"
DEADLETTER="${AZURE_DEADLETTER_CONTAINER:-deadletter}"

az account show >/dev/null 2>&1 || fail "the Azure CLI is not signed in: run 'az login' (azd and az sign in separately)"
if [ -n "${AZURE_SUBSCRIPTION_ID:-}" ]; then
  az account set --subscription "$AZURE_SUBSCRIPTION_ID"
fi

app_host=$(az functionapp show -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" --query defaultHostName -o tsv)
[ -n "$app_host" ] || fail "function app $AZURE_FUNCTION_APP_NAME not found in $AZURE_RESOURCE_GROUP"
storage_id=$(az storage account show -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_STORAGE_ACCOUNT_NAME" --query id -o tsv)
topic_id=$(az eventgrid system-topic show -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_EVENTGRID_SYSTEM_TOPIC_NAME" --query id -o tsv)

wake() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null --max-time 30 "https://$app_host/" || true
  fi
}

# The app's own account of its settings (GET /api/health names wrong keys, never values): the
# usual reason a deployed host indexes no function.
health() {
  code=$(az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" --query "functionKeys.default" -o tsv 2>/dev/null || true)
  if [ -n "$code" ] && command -v curl >/dev/null 2>&1; then
    echo "postdeploy: the app's health report (GET /api/health):" >&2
    curl -s --max-time 30 "https://$app_host/api/health?code=$code" >&2 || true
    echo >&2
  fi
}

# The key appears once the host has started with the blob trigger indexed; a fresh Flex
# deployment may take a little while. Each request to the app also wakes it up.
key=""
attempt=1
while [ "$attempt" -le "$KEY_ATTEMPTS" ]; do
  key=$(az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" \
    --query "systemKeys.blobs_extension" -o tsv 2>/dev/null || true)
  if [ -n "$key" ]; then
    break
  fi
  echo "postdeploy: waiting for the blobs_extension key ($attempt/$KEY_ATTEMPTS)..."
  wake
  sleep "$KEY_WAIT_SECONDS"
  attempt=$((attempt + 1))
done
if [ -z "$key" ]; then
  health
  fail "no blobs_extension system key on $AZURE_FUNCTION_APP_NAME: is the code deployed, are its settings valid (see the health report above), and does it register the blob trigger $FUNCTION_NAME with source 'EventGrid'?"
fi

# The subscription as one PUT (the CLI's create cannot dead-letter as a user-assigned identity).
# The body holds the key: a private temporary file, removed on exit.
body=$(mktemp)
trap 'rm -f "$body"' EXIT
chmod 600 "$body"
cat >"$body" <<EOF_BODY
{
  "properties": {
    "eventDeliverySchema": "EventGridSchema",
    "destination": {
      "endpointType": "WebHook",
      "properties": { "endpointUrl": "https://$app_host/runtime/webhooks/blobs?functionName=Host.Functions.$FUNCTION_NAME&code=$key" }
    },
    "filter": {
      "includedEventTypes": ["Microsoft.Storage.BlobCreated"],
      "subjectBeginsWith": "/blobServices/default/containers/$CONTAINER/blobs/incoming/",
      "subjectEndsWith": ".csv",
      "isSubjectCaseSensitive": false
    },
    "retryPolicy": { "maxDeliveryAttempts": 30, "eventTimeToLiveInMinutes": 1440 },
    "deadLetterWithResourceIdentity": {
      "identity": { "type": "UserAssigned", "userAssignedIdentity": "$AZURE_MANAGED_IDENTITY_RESOURCE_ID" },
      "deadLetterDestination": {
        "endpointType": "StorageBlob",
        "properties": { "resourceId": "$storage_id", "blobContainerName": "$DEADLETTER" }
      }
    }
  }
}
EOF_BODY

# Event Grid validates the webhook during the PUT; a cold host can miss that handshake. A PUT
# is idempotent, so retry it, waking the app before each attempt.
attempt=1
while :; do
  wake
  # A URL without a host is relative to the current cloud's Resource Manager endpoint.
  if az rest --method put \
    --url "$topic_id/eventSubscriptions/$SUBSCRIPTION_NAME?api-version=$EVENTGRID_API" \
    --body "@$body" --output none; then
    break
  fi
  if [ "$attempt" -ge "$SUBSCRIBE_ATTEMPTS" ]; then
    health
    fail "Event Grid could not validate the webhook of $FUNCTION_NAME after $attempt attempts; run this hook again (azd hooks run postdeploy)"
  fi
  echo "postdeploy: the subscription's validation handshake failed ($attempt/$SUBSCRIBE_ATTEMPTS); retrying in ${SUBSCRIBE_WAIT_SECONDS}s..."
  sleep "$SUBSCRIBE_WAIT_SECONDS"
  attempt=$((attempt + 1))
done

# From now on `azd provision` declares the subscription (infra/bicep/modules/eventgrid.bicep).
if [ -n "${AZURE_ENV_NAME:-}" ] && command -v azd >/dev/null 2>&1; then
  azd env set MAILMIG_BLOB_SUBSCRIPTION true >/dev/null || true
fi

echo "postdeploy: Event Grid subscription '$SUBSCRIPTION_NAME' delivers $CONTAINER/incoming/*.csv to $FUNCTION_NAME (undeliverable events: $DEADLETTER)."
