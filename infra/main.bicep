// TicketFunctions on Azure, for `azd up` (azure.yaml at the repository root): a resource group holding a Flex
// Consumption function app (.NET 10 isolated), its storage account (host storage, the payments queues, the deployment
// package), Azure Database for PostgreSQL flexible server, Application Insights, and a Key Vault for every secret.
// The resources themselves are in resources.bicep; this file names things and takes the parameters.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it names the resource group and seeds the resource names.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Email of the first admin, created at start-up if missing (Admin__Email).')
param adminEmail string

@secure()
@minLength(12)
@maxLength(128)
@description('Password of the first admin (Admin__Password, at most 128 characters as the app\'s login takes), kept in Key Vault.')
param adminPassword string

@secure()
@minLength(32)
@description('HS256 signing key for the JWTs (Jwt__SigningKey, at least 32 bytes), kept in Key Vault. azd generates one.')
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 64
      noSpecial: true
    }
  }
})
param jwtSigningKey string

@secure()
@minLength(16)
@description('Password of the PostgreSQL administrator, kept in Key Vault. azd generates one; no special characters, so it needs no quoting inside the Npgsql connection string.')
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 32
      noSpecial: true
      minLower: 1
      minUpper: 1
      minNumeric: 1
    }
  }
})
param postgresAdminPassword string

@minValue(1)
@maxValue(1000)
@description('Most Flex Consumption instances at once. Each holds up to databasePoolSize PostgreSQL connections, so instances x pool must stay below the server\'s max_connections.')
param maximumInstanceCount int = 10

@allowed([512, 2048, 4096])
@description('Memory of each Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(100)
@description('Npgsql pool size per instance (Maximum Pool Size in the connection string).')
param databasePoolSize int = 10

@description('PostgreSQL compute size. Burstable B2s allows 429 connections, room for the default 10 instances x 10.')
param postgresSkuName string = 'Standard_B2s'

@allowed(['Burstable', 'GeneralPurpose', 'MemoryOptimized'])
param postgresSkuTier string = 'Burstable'

var tags = {
  'azd-env-name': environmentName
}

resource group 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'ticketfunctions-resources'
  scope: group
  params: {
    location: location
    tags: tags
    resourceToken: toLower(uniqueString(subscription().id, environmentName, location))
    adminEmail: adminEmail
    adminPassword: adminPassword
    jwtSigningKey: jwtSigningKey
    postgresAdminPassword: postgresAdminPassword
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    databasePoolSize: databasePoolSize
    postgresSkuName: postgresSkuName
    postgresSkuTier: postgresSkuTier
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = group.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output SERVICE_API_URI string = resources.outputs.functionAppUri
output AZURE_KEY_VAULT_NAME string = resources.outputs.keyVaultName
output AZURE_POSTGRES_HOST string = resources.outputs.postgresHost
