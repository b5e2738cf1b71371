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
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$FunctionName = 'onMigrationCsvUploaded'
$SubscriptionName = 'migration-csv-uploaded'
$KeyAttempts = if ($env:MAILMIG_KEY_ATTEMPTS) { [int]$env:MAILMIG_KEY_ATTEMPTS } else { 20 }
$KeyWaitSeconds = if ($env:MAILMIG_KEY_WAIT_SECONDS) { [int]$env:MAILMIG_KEY_WAIT_SECONDS } else { 15 }

function Fail([string]$Message) {
    Write-Error "postdeploy: $Message" -ErrorAction Continue
    exit 1
}

if (-not (Get-Command az -ErrorAction SilentlyContinue)) { Fail 'the Azure CLI (az) is required: https://aka.ms/azure-cli' }

# Outside azd, fall back to the current azd environment if one exists.
if (-not $env:AZURE_FUNCTION_APP_NAME -and (Get-Command azd -ErrorAction SilentlyContinue)) {
    foreach ($line in (& azd env get-values 2>$null)) {
        if ($line -match '^(AZURE_RESOURCE_GROUP|AZURE_FUNCTION_APP_NAME|AZURE_EVENTGRID_SYSTEM_TOPIC_NAME|AZURE_MIGRATIONS_CONTAINER|AZURE_SUBSCRIPTION_ID)="?([^"]*)"?$') {
            [Environment]::SetEnvironmentVariable($Matches[1], $Matches[2])
        }
    }
}

foreach ($name in 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'AZURE_EVENTGRID_SYSTEM_TOPIC_NAME') {
    if (-not [Environment]::GetEnvironmentVariable($name)) { Fail "set $name" }
}
$ResourceGroup = $env:AZURE_RESOURCE_GROUP
$AppName = $env:AZURE_FUNCTION_APP_NAME
$TopicName = $env:AZURE_EVENTGRID_SYSTEM_TOPIC_NAME
$Container = if ($env:AZURE_MIGRATIONS_CONTAINER) { $env:AZURE_MIGRATIONS_CONTAINER } else { 'migrations' }

az account show --output none 2>$null
if ($LASTEXITCODE -ne 0) { Fail "the Azure CLI is not signed in: run 'az login' (azd and az sign in separately)" }
if ($env:AZURE_SUBSCRIPTION_ID) {
    az account set --subscription $env:AZURE_SUBSCRIPTION_ID
    if ($LASTEXITCODE -ne 0) { Fail "cannot select subscription $($env:AZURE_SUBSCRIPTION_ID)" }
}

$AppHost = az functionapp show -g $ResourceGroup -n $AppName --query defaultHostName -o tsv
if ($LASTEXITCODE -ne 0 -or -not $AppHost) { Fail "function app $AppName not found in $ResourceGroup" }

# The key appears once the host has started with the blob trigger indexed; a fresh Flex
# deployment may take a little while. Each request to the app also wakes it up.
$Key = ''
for ($attempt = 1; $attempt -le $KeyAttempts; $attempt++) {
    $Key = az functionapp keys list -g $ResourceGroup -n $AppName --query 'systemKeys.blobs_extension' -o tsv 2>$null
    if ($LASTEXITCODE -eq 0 -and $Key) { break }
    $Key = ''
    Write-Host "postdeploy: waiting for the blobs_extension key ($attempt/$KeyAttempts)..."
    try { Invoke-WebRequest -Uri "https://$AppHost/" -UseBasicParsing -TimeoutSec 30 | Out-Null } catch { Write-Verbose 'wake-up request failed' }
    Start-Sleep -Seconds $KeyWaitSeconds
}
if (-not $Key) { Fail "no blobs_extension system key on ${AppName}: is the code deployed, and does it register the blob trigger $FunctionName with source 'EventGrid'?" }

$Endpoint = "https://$AppHost/runtime/webhooks/blobs?functionName=Host.Functions.$FunctionName&code=$Key"
# On Windows `az` is a .cmd script and cmd.exe would split the URL at '&': pass it quoted.
$IsWindowsHost = ($PSVersionTable.PSEdition -eq 'Desktop') -or ((Test-Path variable:IsWindows) -and $IsWindows)
$EndpointArg = if ($IsWindowsHost) { '"' + $Endpoint + '"' } else { $Endpoint }

# `create` is a PUT: running the hook again updates the subscription in place.
az eventgrid system-topic event-subscription create `
    --name $SubscriptionName `
    --resource-group $ResourceGroup `
    --system-topic-name $TopicName `
    --endpoint-type webhook `
    --endpoint $EndpointArg `
    --included-event-types Microsoft.Storage.BlobCreated `
    --subject-begins-with "/blobServices/default/containers/$Container/blobs/incoming/" `
    --subject-ends-with '.csv' `
    --max-delivery-attempts 30 `
    --event-ttl 1440 `
    --output none
if ($LASTEXITCODE -ne 0) { Fail 'creating the Event Grid subscription failed' }

Write-Host "postdeploy: Event Grid subscription '$SubscriptionName' delivers $Container/incoming/*.csv to $FunctionName."
