"""Microsoft Foundry: the credential the client sends, its endpoint, and its deployments."""
