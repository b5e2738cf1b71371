# azd preprovision hook (the PowerShell twin of preprovision.sh): turns MAILMIG_BLOB_SUBSCRIPTION
# off unless the app already published its blobs_extension key (after `azd down`, or for a new
# app, Bicep must not ask listKeys for a key that does not exist yet), and chooses how Bicep
# creates the Key Vault. After `azd down` the vault stays soft-deleted (purge protection) and keeps
# its name, so creating it again fails. When this environment has such a vault (same
# azd-env-name tag and region), set AZURE_KEY_VAULT_CREATE_MODE=recover and Bicep restores it;
# otherwise "default". azd reads the environment again before main.parameters.json
# (Azure/azure-dev#6063).
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

if (-not (Get-Command az -ErrorAction SilentlyContinue)) { Write-Error 'preprovision: the Azure CLI (az) is required: https://aka.ms/azure-cli'; exit 1 }
foreach ($name in 'AZURE_ENV_NAME', 'AZURE_LOCATION') {
    if (-not [Environment]::GetEnvironmentVariable($name)) { Write-Error "preprovision: set $name"; exit 1 }
}
if ($env:AZURE_SUBSCRIPTION_ID) { az account set --subscription $env:AZURE_SUBSCRIPTION_ID }

$BlobSubscription = 'false'
if ($env:AZURE_FUNCTION_APP_NAME -and $env:AZURE_RESOURCE_GROUP) {
    $Key = az functionapp keys list -g $env:AZURE_RESOURCE_GROUP -n $env:AZURE_FUNCTION_APP_NAME --query 'systemKeys.blobs_extension' -o tsv 2>$null
    if ($LASTEXITCODE -eq 0 -and $Key -and $env:MAILMIG_BLOB_SUBSCRIPTION) { $BlobSubscription = $env:MAILMIG_BLOB_SUBSCRIPTION }
}
azd env set MAILMIG_BLOB_SUBSCRIPTION $BlobSubscription

$Location = ($env:AZURE_LOCATION -replace ' ', '').ToLowerInvariant()
$Query = "[?properties.tags.""azd-env-name""=='$($env:AZURE_ENV_NAME)' && properties.location=='$Location' && starts_with(name, 'kv-mailmig-')].name | [0]"
$Deleted = az keyvault list-deleted --resource-type vault --query $Query -o tsv 2>$null

if ($LASTEXITCODE -eq 0 -and $Deleted) {
    Write-Host "preprovision: Key Vault $Deleted of environment $($env:AZURE_ENV_NAME) is soft-deleted: provisioning recovers it."
    azd env set AZURE_KEY_VAULT_CREATE_MODE recover
} else {
    azd env set AZURE_KEY_VAULT_CREATE_MODE default
}
exit $LASTEXITCODE
