// Written for this corpus with the structure of a public Bicep NSG for a Cassandra MI subnet (a loop of
// outbound allows over the page's service tags at 111 + index, the three prefixes at 110, a subnet with
// default outbound access off). Not copied from that repository, which has no license.
@description('Whether the Cassandra subnet keeps Azure\'s default outbound access to the Internet.')
param defaultOutboundAccess bool = false

@description('Location for all resources.')
param location string = resourceGroup().location

@description('Name of the network security group.')
param nsgName string = 'nsg-cassandra'

var cassandraNsgDestinations = [
  'Storage'
  'AzureKeyVault'
  'EventHub'
  'AzureMonitor'
  'AzureActiveDirectory'
  'AzureResourceManager'
  'AzureFrontDoor.FirstParty'
  'GuestAndHybridManagement'
  'ApiManagement'
]

resource nsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {
  name: nsgName
  location: location
}

resource nsgMisc 'Microsoft.Network/networkSecurityGroups/securityRules@2024-05-01' = {
  parent: nsg
  name: 'nsgr-coscas-outbound-misc'
  properties: {
    priority: 110
    direction: 'Outbound'
    access: 'Allow'
    protocol: 'Tcp'
    sourceAddressPrefix: '*'
    sourcePortRange: '*'
    destinationAddressPrefixes: [
      '104.40.0.0/13'
      '13.104.0.0/14'
      '40.64.0.0/10'
    ]
    destinationPortRange: '443'
  }
}

resource nsgRules 'Microsoft.Network/networkSecurityGroups/securityRules@2024-05-01' = [
  for (destination, index) in cassandraNsgDestinations: {
    parent: nsg
    name: 'nsgr-coscas-outbound-443-${toLower(destination)}'
    properties: {
      priority: 111 + index
      direction: 'Outbound'
      access: 'Allow'
      protocol: 'Tcp'
      sourceAddressPrefix: '*'
      sourcePortRange: '*'
      destinationAddressPrefix: destination
      destinationPortRange: '443'
    }
  }
]

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: 'vnet-cassandra'
  location: location
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.10.0.0/16'
      ]
    }
    subnets: [
      {
        name: 'snet-cassandra'
        properties: {
          addressPrefix: '10.10.2.0/24'
          defaultOutboundAccess: defaultOutboundAccess
          networkSecurityGroup: {
            id: nsg.id
          }
        }
      }
    ]
  }
}
