terraform {
  required_version = ">= 1.9.0"

  required_providers {
    # 4.42 is the first release with `rbac_authorization_enabled` on azurerm_key_vault.
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.42"
    }
    # The app-settings PUT in function-app.tf (works around an azurerm bug) and the Durable Task
    # Scheduler (durable.tf), which azurerm does not have.
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.0"
    }
  }
}

provider "azurerm" {
  # The cloud: its login and storage endpoints also feed the app settings (main.tf, local.cloud).
  environment = var.azure_environment

  # Shared keys are disabled on the storage account: whatever the provider does on the data
  # plane must use Entra ID, and it must not try keys.
  storage_use_azuread = true

  features {
    key_vault {
      # Purge protection is on: a destroyed vault stays soft-deleted (recoverable) rather than
      # purged, and re-creating the environment recovers it with its secrets.
      purge_soft_delete_on_destroy    = false
      recover_soft_deleted_key_vaults = true
    }
    storage {
      # Containers are created through ARM (storage_account_id), so the provider never needs
      # the blob/queue data plane, which shared-key-disabled accounts refuse to keys.
      data_plane_available = false
    }
  }
}

provider "azapi" {
  environment = var.azure_environment
}
