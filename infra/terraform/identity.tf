# The user-assigned identity the function app runs as: host storage, the Flex deployment
# package, Key Vault and Application Insights all authenticate with it. User-assigned, so its
# role assignments (roles.tf) exist before the app first starts.

resource "azurerm_user_assigned_identity" "app" {
  name                = "id-mailmig-${local.resource_token}"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  tags                = local.tags
}
