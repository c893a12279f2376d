using Microsoft.Extensions.Configuration;

namespace TicketFunctions.Common;

/// <summary>
/// App Service hands an app the literal text of a Key Vault reference it could not resolve (no access yet, a secret
/// deleted, a typo): "@Microsoft.KeyVault(SecretUri=...)". That text is no secret, anyone who can guess the vault's
/// name can write it, and it passes every length check (a 32-byte JWT key, an admin password), so the app refuses to
/// start with one rather than sign tokens or create an admin with it.
/// </summary>
public static class KeyVaultReferences
{
    private const string Prefix = "@Microsoft.KeyVault(";

    public static void ThrowIfUnresolved(IConfiguration configuration)
    {
        var unresolved = configuration.AsEnumerable()
            .Where(setting => setting.Value?.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) == true)
            .Select(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unresolved.Count > 0)
        {
            throw new InvalidOperationException(
                $"Key Vault reference(s) not resolved: {string.Join(", ", unresolved)}. Give the app's identity read access to the " +
                "secrets (Key Vault Secrets User) and check that they exist; the portal's Environment variables page shows why.");
        }
    }
}
