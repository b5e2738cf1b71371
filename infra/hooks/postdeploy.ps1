# azd postdeploy hook (also runnable by hand after a Terraform deployment): subscribes the blob
# trigger `onMigrationCsvUploaded` (EventGrid source) to BlobCreated events for
# <migrations>/incoming/*.csv on the storage account's Event Grid system topic, with the same
# dead-letter destination, retry policy and filters as infra/bicep/modules/eventgrid.bicep.
# The PowerShell twin of postdeploy.sh: see there for why it runs here, and docs/deploy.md.
#
# Reads (azd exports its environment to hooks; set them yourself otherwise):
#   AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, AZURE_EVENTGRID_SYSTEM_TOPIC_NAME,
#   AZURE_STORAGE_ACCOUNT_NAME, AZURE_MANAGED_IDENTITY_RESOURCE_ID,
#   AZURE_MIGRATIONS_CONTAINER (default "migrations"), AZURE_DEADLETTER_CONTAINER (default "deadletter")
# Needs the Azure CLI, signed in (`az login`) to the deployment's subscription.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$FunctionName = 'onMigrationCsvUploaded'
$SubscriptionName = 'migration-csv-uploaded'
$KeyAttempts = if ($env:MAILMIG_KEY_ATTEMPTS) { [int]$env:MAILMIG_KEY_ATTEMPTS } else { 20 }
$KeyWaitSeconds = if ($env:MAILMIG_KEY_WAIT_SECONDS) { [int]$env:MAILMIG_KEY_WAIT_SECONDS } else { 15 }
$SubscribeAttempts = if ($env:MAILMIG_SUBSCRIBE_ATTEMPTS) { [int]$env:MAILMIG_SUBSCRIBE_ATTEMPTS } else { 8 }
$SubscribeWaitSeconds = if ($env:MAILMIG_SUBSCRIBE_WAIT_SECONDS) { [int]$env:MAILMIG_SUBSCRIBE_WAIT_SECONDS } else { 20 }
$EventGridApi = '2025-02-15'

function Fail([string]$Message) {
    Write-Error "postdeploy: $Message" -ErrorAction Continue
    exit 1
}

if (-not (Get-Command az -ErrorAction SilentlyContinue)) { Fail 'the Azure CLI (az) is required: https://aka.ms/azure-cli' }

# Outside azd, fall back to the current azd environment if one exists.
if (-not $env:AZURE_FUNCTION_APP_NAME -and (Get-Command azd -ErrorAction SilentlyContinue)) {
    foreach ($line in (& azd env get-values 2>$null)) {
        if ($line -match '^(AZURE_RESOURCE_GROUP|AZURE_FUNCTION_APP_NAME|AZURE_EVENTGRID_SYSTEM_TOPIC_NAME|AZURE_MIGRATIONS_CONTAINER|AZURE_SUBSCRIPTION_ID|AZURE_STORAGE_ACCOUNT_NAME|AZURE_MANAGED_IDENTITY_RESOURCE_ID|AZURE_DEADLETTER_CONTAINER)="?([^"]*)"?$') {
            [Environment]::SetEnvironmentVariable($Matches[1], $Matches[2])
        }
    }
}

foreach ($name in 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'AZURE_EVENTGRID_SYSTEM_TOPIC_NAME', 'AZURE_STORAGE_ACCOUNT_NAME', 'AZURE_MANAGED_IDENTITY_RESOURCE_ID') {
    if (-not [Environment]::GetEnvironmentVariable($name)) { Fail "set $name" }
}
$ResourceGroup = $env:AZURE_RESOURCE_GROUP
$AppName = $env:AZURE_FUNCTION_APP_NAME
$TopicName = $env:AZURE_EVENTGRID_SYSTEM_TOPIC_NAME
$Container = if ($env:AZURE_MIGRATIONS_CONTAINER) { $env:AZURE_MIGRATIONS_CONTAINER } else { 'migrations' }
$DeadLetter = if ($env:AZURE_DEADLETTER_CONTAINER) { $env:AZURE_DEADLETTER_CONTAINER } else { 'deadletter' }

az account show --output none 2>$null
if ($LASTEXITCODE -ne 0) { Fail "the Azure CLI is not signed in: run 'az login' (azd and az sign in separately)" }
if ($env:AZURE_SUBSCRIPTION_ID) {
    az account set --subscription $env:AZURE_SUBSCRIPTION_ID
    if ($LASTEXITCODE -ne 0) { Fail "cannot select subscription $($env:AZURE_SUBSCRIPTION_ID)" }
}

$AppHost = az functionapp show -g $ResourceGroup -n $AppName --query defaultHostName -o tsv
if ($LASTEXITCODE -ne 0 -or -not $AppHost) { Fail "function app $AppName not found in $ResourceGroup" }
$StorageId = az storage account show -g $ResourceGroup -n $env:AZURE_STORAGE_ACCOUNT_NAME --query id -o tsv
$TopicId = az eventgrid system-topic show -g $ResourceGroup -n $TopicName --query id -o tsv

function Wake {
    try { Invoke-WebRequest -Uri "https://$AppHost/" -UseBasicParsing -TimeoutSec 30 | Out-Null } catch { Write-Verbose 'wake-up request failed' }
}

# The app's own account of its settings (GET /api/health names wrong keys, never values): the
# usual reason a deployed host indexes no function.
function Show-Health {
    $Code = az functionapp keys list -g $ResourceGroup -n $AppName --query 'functionKeys.default' -o tsv 2>$null
    if ($Code) {
        Write-Host "postdeploy: the app's health report (GET /api/health):"
        try { (Invoke-WebRequest -Uri "https://$AppHost/api/health?code=$Code" -UseBasicParsing -TimeoutSec 30 -SkipHttpErrorCheck).Content | Write-Host } catch { Write-Host 'postdeploy: no answer from /api/health' }
    }
}

# The key appears once the host has started with the blob trigger indexed; a fresh Flex
# deployment may take a little while. Each request to the app also wakes it up.
$Key = ''
for ($attempt = 1; $attempt -le $KeyAttempts; $attempt++) {
    $Key = az functionapp keys list -g $ResourceGroup -n $AppName --query 'systemKeys.blobs_extension' -o tsv 2>$null
    if ($LASTEXITCODE -eq 0 -and $Key) { break }
    $Key = ''
    Write-Host "postdeploy: waiting for the blobs_extension key ($attempt/$KeyAttempts)..."
    Wake
    Start-Sleep -Seconds $KeyWaitSeconds
}
if (-not $Key) {
    Show-Health
    Fail "no blobs_extension system key on ${AppName}: is the code deployed, are its settings valid (see the health report above), and does it register the blob trigger $FunctionName with source 'EventGrid'?"
}

# The subscription as one PUT (the CLI's create cannot dead-letter as a user-assigned identity).
# The body holds the key: a private temporary file, removed at the end.
$Body = @{
    properties = @{
        eventDeliverySchema = 'EventGridSchema'
        destination = @{
            endpointType = 'WebHook'
            properties = @{ endpointUrl = "https://$AppHost/runtime/webhooks/blobs?functionName=Host.Functions.$FunctionName&code=$Key" }
        }
        filter = @{
            includedEventTypes = @('Microsoft.Storage.BlobCreated')
            subjectBeginsWith = "/blobServices/default/containers/$Container/blobs/incoming/"
            subjectEndsWith = '.csv'
            isSubjectCaseSensitive = $false
        }
        retryPolicy = @{ maxDeliveryAttempts = 30; eventTimeToLiveInMinutes = 1440 }
        deadLetterWithResourceIdentity = @{
            identity = @{ type = 'UserAssigned'; userAssignedIdentity = $env:AZURE_MANAGED_IDENTITY_RESOURCE_ID }
            deadLetterDestination = @{
                endpointType = 'StorageBlob'
                properties = @{ resourceId = $StorageId; blobContainerName = $DeadLetter }
            }
        }
    }
} | ConvertTo-Json -Depth 10
$BodyFile = New-TemporaryFile
try {
    Set-Content -Path $BodyFile -Value $Body -NoNewline
    # Event Grid validates the webhook during the PUT; a cold host can miss that handshake. A
    # PUT is idempotent, so retry it, waking the app before each attempt. A URL without a host
    # is relative to the current cloud's Resource Manager endpoint.
    for ($attempt = 1; ; $attempt++) {
        Wake
        az rest --method put --url "$TopicId/eventSubscriptions/${SubscriptionName}?api-version=$EventGridApi" --body "@$BodyFile" --output none
        if ($LASTEXITCODE -eq 0) { break }
        if ($attempt -ge $SubscribeAttempts) {
            Show-Health
            Fail "Event Grid could not validate the webhook of $FunctionName after $attempt attempts; run this hook again (azd hooks run postdeploy)"
        }
        Write-Host "postdeploy: the subscription's validation handshake failed ($attempt/$SubscribeAttempts); retrying in ${SubscribeWaitSeconds}s..."
        Start-Sleep -Seconds $SubscribeWaitSeconds
    }
} finally {
    Remove-Item -Path $BodyFile -Force -ErrorAction SilentlyContinue
}

# From now on `azd provision` declares the subscription (infra/bicep/modules/eventgrid.bicep).
if ($env:AZURE_ENV_NAME -and (Get-Command azd -ErrorAction SilentlyContinue)) {
    azd env set MAILMIG_BLOB_SUBSCRIPTION true | Out-Null
}

Write-Host "postdeploy: Event Grid subscription '$SubscriptionName' delivers $Container/incoming/*.csv to $FunctionName (undeliverable events: $DeadLetter)."
