# Key Vault for the IMAP app registrations' client secrets or certificates and per-mailbox
# passwords. RBAC authorization (roles.tf grants Key Vault Secrets User to the app identity),
# purge protection and soft delete.

resource "azurerm_key_vault" "main" {
  name                          = "kv-mailmig-${substr(local.resource_token, 0, 13)}"
  resource_group_name           = azurerm_resource_group.main.name
  location                      = azurerm_resource_group.main.location
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = "standard"
  rbac_authorization_enabled    = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = var.key_vault_soft_delete_retention_days
  public_network_access_enabled = true
  tags                          = local.tags

  network_acls {
    default_action = "Allow"
    bypass         = "AzureServices"
  }
}
